#pragma once
// GAN quality in the terms of the task the images are for (Shmelkov, Schmid & Alahari 2018,
// "How good is my GAN?"): whether generated glitches carry their class.
//   GAN-test   a classifier trained on real images (the "judge") classifies generated images; the
//              accuracy against the class each was generated for. Near the judge's own accuracy on
//              real images: the generator draws recognisable classes (a precision-like measure).
//   GAN-train  a classifier trained on generated images only, tested on real images: whether the
//              generated set covers what tells the classes apart (a recall-like measure; Ravuri &
//              Vinyals' "classification accuracy score").
// Beside them, the ProGAN paper's sliced Wasserstein distance of G and Gs to real images, next to
// the distance between two draws of real images (the floor a perfect generator would reach).
#include <optional>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "nets/classification_metrics.h"
#include "nets/classifier.h"
#include "nets/classifier_trainer.h"
#include "nets/progan.h"
#include "nets/progan_metrics.h"
#include "nets/progan_schedule.h"
#include "nets/progan_trainer.h"

namespace gg::nets {

struct GanTestResult {
  double accuracy = 0;
  std::vector<double> per_class;  // recall per generated class (in the generated set's class order)
  std::size_t images = 0;
};

// The judge classifies `generated`, whose label k means the class named generated.class_names()[k];
// `judge_classes` names the judge's outputs. Classes are matched by name, so the judge may know
// more classes than the generator; a generated class the judge does not know is an error
// (std::invalid_argument naming it), as is an image shape the judge does not take.
GanTestResult gan_test(GlitchClassifier& judge, const std::vector<std::string>& judge_classes,
                       const data::Dataset& generated, int batch, Device device);

// `per_class` images of each of the generator's classes (label k for class k, in order), drawn
// with latents from `seed` at the schedule point, as bytes exactly as their PNGs would hold them,
// at the net's final resolution (images of a lower level are upscaled, nearest neighbour).
// An unconditional generator is one class: class_names must then hold one name.
data::Dataset generate_per_class(ProganGenerator& generator, const ProganConfig& net, const SchedulePoint& point,
                                 const std::vector<std::string>& class_names, int per_class, std::uint64_t seed,
                                 Device device);

// GAN-test of a run's two generators, Gs (EMA) and G (raw), at its current schedule point, on the
// same `per_class` latents per class (drawn from the run's seed).
struct GanTestPair {
  GanTestResult ema, raw;
};
GanTestPair gan_test_run(ProganTrainer& trainer, GlitchClassifier& judge, const std::vector<std::string>& judge_classes,
                         int per_class, int batch);

struct GanTrainResult {
  ClassifierTrainResult trained;  // the generated-only classifier (its best validation epoch)
  ClassificationReport test;      // on the real test images
};

// GAN-train: a classifier trained with `options` on `generated` alone, its best epoch chosen on the
// real `validation` images, evaluated on the real `test` images. All three share one label space.
GanTrainResult gan_train(const data::Dataset& generated, const data::Dataset& validation, const data::Dataset& test,
                         const ClassifierTrainOptions& options);

// SWD (x 1e3, per level) between two image sets of one size; `seed` picks the neighbourhoods and
// the projections. Levels run from the images' size down to 16 px (or the size itself when smaller).
SwdResult swd_between(const ByteImages& a, const ByteImages& b, std::uint64_t seed);

// SWD means (x 1e3, over levels) at a run's current schedule point: reals split in two disjoint
// halves A and B (at most `max_per_half` each, drawn from the run's seed); Gs and G generate one
// image per label of A from the same latents; each is measured against B, and so is A itself (the
// real-vs-real floor). std::nullopt when the current level is smaller than SWD's neighbourhood or
// there are fewer than 2 reals.
struct SwdPair {
  double ema = 0, raw = 0, real_floor = 0;
};
std::optional<SwdPair> swd_run(ProganTrainer& trainer, const data::Dataset& reals, int max_per_half, int batch);

}  // namespace gg::nets

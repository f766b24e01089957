#pragma once
// Drawing images from a trained generator: latents (optionally truncated), class labels, batches,
// and the images as a Dataset of bytes, exactly what the loader would make of their PNGs.
#include <string>
#include <vector>

#include "data/dataset.h"
#include "nets/progan.h"
#include "nets/progan_schedule.h"

namespace gg::nets {

// Which of a run's generators to sample: the EMA of the weights (Gs, the official choice) or the
// trained generator G itself.
enum class GanWeights { ema, raw };
const char* gan_weights_name(GanWeights weights);  // "ema", "raw"
// Throws std::invalid_argument naming the bad value.
GanWeights parse_gan_weights(const std::string& text);

// (count, latent_size) latents ~ N(0, 1); unless `truncation_free`, components beyond
// +-kTruncation are drawn again until inside (the truncation trick: fewer odd samples, a little
// less variety).
constexpr double kTruncation = 2.0;
Tensor draw_latents(int count, int latent_size, Generator& gen, bool truncation_free, Device device);

// One image per entry of `classes` (the class label of a conditional net; ignored by an
// unconditional one) at the schedule point's level and alpha, `batch` per generator call.
// (N, C, S, S) in [-1, 1] on the CPU.
Tensor generate_images(ProganGenerator& generator, const ProganConfig& net, const SchedulePoint& point,
                       const std::vector<int>& classes, Generator& gen, bool truncation_free, int batch, Device device);

// Generated images as a data set: each rounded to bytes as a PNG of it would hold, labelled
// `labels[i]` in `class_names`, with SampleInfo ifo "GAN" and id "<id_prefix><i>".
data::Dataset images_to_dataset(const Tensor& images, const std::vector<int>& labels,
                                std::vector<std::string> class_names, const std::string& id_prefix);

}  // namespace gg::nets

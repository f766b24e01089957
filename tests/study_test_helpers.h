#pragma once
// A study and its data small enough for unit tests (tests/test_study.cpp, tests/mpi).
#include "data/splits.h"
#include "study/study_settings.h"
#include "tests/test_classifier_helpers.h"

namespace gg::testing {

// An 8x8 GAN trained for a few hundred images and classifiers trained for two epochs.
inline study::StudySettings tiny_settings() {
  study::StudySettings s;
  s.resolution = 8;
  s.kimg_stabilize = 0.064;
  s.kimg_fade = 0.064;
  s.gan_total_kimg = 0;  // the schedule's own end
  s.gan_batch = 16;
  s.fmap_base = 32;
  s.fmap_max = 16;
  s.epochs = 2;
  s.batch = 16;
  s.progress_seconds = 1000;
  return s;
}

// The bars task as a study's splits: 4 classes, 8x8.
inline data::Splits bar_splits() {
  return data::stratified_split(bars_dataset(96, 8, 5), {0.5, 0.25, 0.25}, 3);
}

}  // namespace gg::testing

#pragma once
// What the ProGAN commands (train-gan, sample, eval-gan) share: the device flag and loading the
// images a GAN trains on.
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "nets/progan_trainer.h"

namespace gg::tools {

// Parses --device and checks that this build and machine have it; errors name the flag.
Device checked_device(const std::string& text);

// The Gravity Spy folder at `root` prepared as the networks see it: the time window, gray or RGB
// by the channel count, resized to the final resolution; only `classes` (empty: all). Prints one
// line about what was loaded (unless `report` is false). The decoded images are cached in
// `cache_dir` (empty: no cache).
data::Dataset load_gan_data(const std::filesystem::path& root, const nets::ProganTrainConfig& config,
                            const std::vector<std::string>& classes, const std::filesystem::path& cache_dir,
                            bool report = true);

}  // namespace gg::tools

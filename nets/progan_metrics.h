#pragma once
// The ProGAN paper's image metrics, as its official code computes them (metrics/
// sliced_wasserstein.py and metrics/ms_ssim.py). Neither needs a pretrained network.
//
// Both work on images quantized to bytes, as the official code does (it converts generated images
// to uint8 before measuring): a tensor in [-1, 1] is mapped to round((x + 1) * 127.5) in 0..255.
//
// Sliced Wasserstein distance (SWD), per Laplacian-pyramid level from the full resolution down to
// `min_resolution`: from each image, `nhoods_per_image` random 7x7 neighbourhoods (all channels)
// are descriptors; each set of descriptors is normalised per channel by its own mean and standard
// deviation; the distance is the mean over `dir_repeats` x `dirs_per_repeat` random unit
// directions of the 1-D Wasserstein distance between the two sets' projections (sorted and
// compared point by point). Reported x 1e3 like the paper; lower is closer.
//
// MS-SSIM (Wang et al. 2003) with the usual 11x11 Gaussian window (sigma 1.5), 5 scales and
// weights; the paper measures the diversity of a generator by the mean MS-SSIM of pairs of its
// samples: lower means more diverse, 1 means identical.
#include <cstdint>
#include <vector>

#include "engine/random.h"
#include "engine/tensor.h"

namespace gg::nets {

// Images as floats on the byte scale 0..255, planar (N, C, H, W).
struct ByteImages {
  int count = 0, channels = 0, height = 0, width = 0;
  std::vector<float> values;
  const float* image(int i) const {
    return values.data() + static_cast<std::size_t>(i) * channels * height * width;
  }
};

// (N, C, H, W) in [-1, 1] (any device) -> the byte levels a PNG of it would hold.
ByteImages to_byte_images(const Tensor& images);

struct SwdOptions {
  int nhood_size = 7;
  int nhoods_per_image = 128;
  int dir_repeats = 4;
  int dirs_per_repeat = 128;
  int min_resolution = 16;  // pyramid levels stop here (the official code: while res >= 16)
};

// Normalised descriptors of one image set, one (descriptors x C*7*7) matrix per pyramid level.
struct SwdDescriptors {
  std::vector<int> resolutions;         // finest first
  std::vector<std::vector<float>> levels;
  std::int64_t rows = 0;                // descriptors per level
  std::int64_t dim = 0;                 // C * nhood_size^2
};

// `gen` picks the neighbourhoods.
SwdDescriptors swd_descriptors(const ByteImages& images, const SwdOptions& options, Generator& gen);

struct SwdResult {
  std::vector<int> resolutions;   // finest first
  std::vector<double> distances;  // x 1e3, per level
  double mean = 0;                // over levels
};

// Both sets must have the same number of descriptors (same image count and options). `gen`
// draws the projection directions.
SwdResult sliced_wasserstein(const SwdDescriptors& a, const SwdDescriptors& b, const SwdOptions& options,
                             Generator& gen);

struct MsSsimOptions {
  double max_value = 255;
  int filter_size = 11;
  double filter_sigma = 1.5;
  double k1 = 0.01, k2 = 0.03;
  std::vector<double> weights = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};  // one per scale
};

// Mean over i of MS-SSIM(a_i, b_i). Images must be at least 2^(scales - 1) pixels on each side.
double ms_ssim(const ByteImages& a, const ByteImages& b, const MsSsimOptions& options = {});

// The official diversity measure: mean MS-SSIM of the pairs (images[0], images[1]),
// (images[2], images[3]), ...
double ms_ssim_of_pairs(const ByteImages& images, const MsSsimOptions& options = {});

}  // namespace gg::nets

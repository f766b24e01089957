#pragma once
// Generated images as pictures: (N, C, H, W) tensors in [-1, 1] to 8-bit images (1 channel gray,
// 3 channels RGB) with the byte mapping of the data set reversed (see to_byte_images), and the
// sample grids written during training.
#include <vector>

#include "data/image.h"
#include "engine/tensor.h"

namespace gg::nets {

// Throws std::invalid_argument unless C is 1 or 3.
std::vector<data::Image> to_pictures(const Tensor& images);

// The images tiled `columns` per row, each first enlarged by pixel repetition to `tile_size`
// (a multiple of its side), so the grids of every resolution of a run have one size.
data::Image picture_grid(const Tensor& images, int columns, int tile_size);

}  // namespace gg::nets

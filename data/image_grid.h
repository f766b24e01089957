#pragma once
// Grids of images for people to look at: contact sheets of a data set, sample grids of a GAN.
#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "data/image.h"

namespace gg::data {

// Tiles equally sized images (same size and channels) row by row, `columns` per row, with `gap`
// pixels of `background` between and around them. Throws std::invalid_argument on mixed sizes.
Image tile_images(const std::vector<Image>& tiles, int columns, int gap = 2, std::uint8_t background = 255);

// Sample i of a data set as a picture: RGB when it has 3 channels (one RGB window), otherwise its
// channels (stacked windows) side by side in gray.
Image sample_image(const Dataset& dataset, std::size_t i);

// Up to `per_class` samples of every class, one row per class, in class order.
Image contact_sheet(const Dataset& dataset, int per_class, int gap = 2);

}  // namespace gg::data

#include "data/synth/scan_plot.h"

#include <cmath>
#include <vector>

#include "data/synth/viridis.h"

namespace gg::data::synth {

namespace {

using G = ScanGeometry;
// The frequency axis spans log2(2048 / 10) octaves over the 480 pixels between the frame lines.
const double kOctaves = std::log2(G::kFMax / G::kFMin);
constexpr int kTick = 5;  // tick length in pixels, outside the frame

void fill(Image& image, int x0, int y0, int x1, int y1, Rgb c) {  // inclusive
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      std::uint8_t* p = image.at(x, y);
      p[0] = c.r, p[1] = c.g, p[2] = c.b;
    }
  }
}

constexpr Rgb kBlack{0, 0, 0};

}  // namespace

double ScanGeometry::frequency_at(int y) { return kFMin * std::exp2(static_cast<double>(kBottom - y) / (kBottom - kTop) * kOctaves); }
int ScanGeometry::row_of(double f) {
  return static_cast<int>(std::lround(kBottom - (kBottom - kTop) * std::log2(f / kFMin) / kOctaves));
}
double ScanGeometry::time_at(int x, double window) { return window * ((x - (kLeft + 1.0)) / (kRight - kLeft - 2) - 0.5); }
int ScanGeometry::column_of(double t, double window) {
  return static_cast<int>(std::lround(kLeft + 1 + (kRight - kLeft - 2) * (t / window + 0.5)));
}

Image plot_scan(const QPlane& plane, double segment_duration, double window) {
  Image image(G::kWidth, G::kHeight, 3);
  std::fill(image.pixels.begin(), image.pixels.end(), std::uint8_t{255});

  // The energy map inside the frame.
  std::vector<double> frequencies, times;
  for (int y = G::kTop + 1; y < G::kBottom; ++y) frequencies.push_back(G::frequency_at(y));
  for (int x = G::kLeft + 1; x < G::kRight; ++x) times.push_back(G::time_at(x, window));
  std::vector<float> energy(frequencies.size() * times.size());
  sample_plane(plane, segment_duration, frequencies, times, energy.data());
  for (std::size_t i = 0; i < frequencies.size(); ++i) {
    for (std::size_t j = 0; j < times.size(); ++j) {
      const Rgb c = viridis(energy[i * times.size() + j] / G::kEnergyMax);
      std::uint8_t* p = image.at(G::kLeft + 1 + static_cast<int>(j), G::kTop + 1 + static_cast<int>(i));
      p[0] = c.r, p[1] = c.g, p[2] = c.b;
    }
  }

  // Frame and ticks: frequency ticks at 16, 32, ..., 2048 Hz; five time ticks.
  fill(image, G::kLeft, G::kTop, G::kRight, G::kTop, kBlack);
  fill(image, G::kLeft, G::kBottom, G::kRight, G::kBottom, kBlack);
  fill(image, G::kLeft, G::kTop, G::kLeft, G::kBottom, kBlack);
  fill(image, G::kRight, G::kTop, G::kRight, G::kBottom, kBlack);
  for (double f = 16; f <= G::kFMax; f *= 2) {
    const int y = G::row_of(f);
    fill(image, G::kLeft - kTick, y, G::kLeft - 1, y, kBlack);
  }
  for (int k = 0; k < 5; ++k) {
    const int x = G::column_of(window * (k / 4.0 - 0.5), window);
    fill(image, x, G::kBottom + 1, x, G::kBottom + kTick, kBlack);
  }

  // Colour bar: 0 at the bottom, 25.5 at the top, ticks every 5.
  for (int y = G::kTop + 1; y < G::kBottom; ++y) {
    const double t = (G::kBottom - (y + 0.5)) / (G::kBottom - G::kTop);
    fill(image, G::kBarLeft + 1, y, G::kBarRight - 1, y, viridis(t));
  }
  fill(image, G::kBarLeft, G::kTop, G::kBarRight, G::kTop, kBlack);
  fill(image, G::kBarLeft, G::kBottom, G::kBarRight, G::kBottom, kBlack);
  fill(image, G::kBarLeft, G::kTop, G::kBarLeft, G::kBottom, kBlack);
  fill(image, G::kBarRight, G::kTop, G::kBarRight, G::kBottom, kBlack);
  for (double e = 0; e <= G::kEnergyMax; e += 5) {
    const int y = static_cast<int>(std::lround(G::kBottom - (G::kBottom - G::kTop) * e / G::kEnergyMax));
    fill(image, G::kBarRight + 1, y, G::kBarRight + kTick, y, kBlack);
  }
  return image;
}

}  // namespace gg::data::synth

#pragma once
// One synthetic Gravity Spy glitch, end to end: draw the class's signal, add whitened detector
// noise, Q-transform the segment, and plot each time window as the real scans are plotted.
#include <cstdint>
#include <string>
#include <vector>

#include "data/image.h"
#include "data/synth/glitch_models.h"
#include "data/synth/qtransform.h"

namespace gg::data::synth {

struct ScanOptions {
  double sample_rate = 8192;  // Hz: Nyquist 4096 Hz clears the top of the 2048 Hz axis
  double duration = 8;        // seconds of data around the glitch (periodic, so no edge effects)
  QTransformOptions q;
  ModelSet models = ModelSet::v1;  // which version of the class models draws the glitches
};

struct SynthGlitch {
  std::string ifo;  // "H1" or "L1"
  std::string id;   // ten letters and digits, like a Gravity Spy id
  std::vector<Image> images;  // 800x600 RGB, one per requested window
};

// Everything random comes from the Philox stream for (seed, class, index), so a glitch is the same
// whatever else is generated alongside it, on any number of threads.
SynthGlitch synth_glitch(int class_index, std::uint64_t seed, std::uint64_t index, const std::vector<double>& windows,
                         const ScanOptions& options = {});

}  // namespace gg::data::synth

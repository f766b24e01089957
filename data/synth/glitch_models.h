#pragma once
// Physical models of the 22 Gravity Spy glitch classes (shapes as described in
// shared/data/GRAVITYSPY.md), each a random draw of a parametrised signal in the whitened
// detector data. Models are written as sine-Gaussians, tones along a frequency track, and
// broadband strain pulses — the shapes a Q transform renders as blobs, curves and teardrops.
#include <array>
#include <string>
#include <vector>

#include "data/synth/detector_noise.h"
#include "data/synth/waveforms.h"
#include "engine/random.h"

namespace gg::data::synth {

// The 22 classes of the Gravity Spy training set, in its (alphabetical) order.
inline constexpr std::array<const char*, 22> kGlitchClasses = {
    "1080Lines",      "1400Ripples",     "Air_Compressor",      "Blip",         "Chirp",
    "Extremely_Loud", "Helix",           "Koi_Fish",            "Light_Modulation", "Low_Frequency_Burst",
    "Low_Frequency_Lines", "No_Glitch",  "None_of_the_Above",   "Paired_Doves", "Power_Line",
    "Repeating_Blips", "Scattered_Light", "Scratchy",           "Tomte",        "Violin_Mode",
    "Wandering_Line", "Whistle"};

// Position of `name` in kGlitchClasses; throws std::invalid_argument listing the classes otherwise.
int glitch_class_index(const std::string& name);

// The signal of one glitch: whitened waveform pieces plus broadband strain pulses.
struct GlitchSignal {
  WaveformBuilder whitened;
  std::vector<StrainPulse> pulses;
};

// Versions of the class models. A data set made with one version is the same on every later
// release, so numbers measured on it can be reproduced; v2 re-fits the classes that `glitchgan
// synth-check` found unlike the real scans (which statistic drove which change: data/README.md).
// v3 re-fits further classes against gravityspy-22.
enum class ModelSet { v1, v2, v3 };
inline constexpr std::array<const char*, 3> kModelSetNames = {"v1", "v2", "v3"};  // in the order of ModelSet
ModelSet model_set_from_name(const std::string& name);  // one of kModelSetNames; throws std::invalid_argument otherwise
const char* model_set_name(ModelSet models);

// Draws one glitch of class `class_index` into `signal` (centred on time 0).
void draw_glitch(int class_index, Generator& gen, GlitchSignal& signal, ModelSet models = ModelSet::v1);

}  // namespace gg::data::synth

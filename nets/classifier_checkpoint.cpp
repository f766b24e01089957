#include "nets/classifier_checkpoint.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/posix_file.h"
#include "engine/serialize.h"
#include "nets/checkpoint_format.h"
#include "nets/json_fields.h"

namespace gg::nets {

using nlohmann::json;

namespace {

constexpr const char* kMetaKey = "glitchgan.classifier";

json to_json(const ClassifierCheckpoint& m) {
  const data::PreprocessOptions& p = m.preprocess;
  return {
      {"config",
       {{"channels", m.config.channels},
        {"resolution", m.config.resolution},
        {"num_classes", m.config.num_classes},
        {"widths", m.config.widths},
        {"dropout", m.config.dropout}}},
      {"class_names", m.class_names},
      {"preprocess",
       {{"crop", {{"row0", p.crop.row0}, {"row1", p.crop.row1}, {"col0", p.crop.col0}, {"col1", p.crop.col1}}},
        {"windows", p.windows},
        {"height", p.height},
        {"width", p.width},
        {"color", p.color == data::ColorMode::gray ? "gray" : "rgb"},
        {"expected_width", p.expected_width},
        {"expected_height", p.expected_height}}},
      {"seed", m.seed},
  };
}

ClassifierCheckpoint from_json(const json& j) {
  ClassifierCheckpoint m;
  const json& c = j.at("config");
  m.config.channels = integer_field<int>(c, "channels");
  m.config.resolution = integer_field<int>(c, "resolution");
  m.config.num_classes = integer_field<int>(c, "num_classes");
  m.config.widths = integer_list_field<int>(c, "widths");
  m.config.dropout = c.at("dropout");
  m.class_names = j.at("class_names").get<std::vector<std::string>>();
  const json& p = j.at("preprocess");
  const json& crop = p.at("crop");
  m.preprocess.crop = {integer_field<int>(crop, "row0"), integer_field<int>(crop, "row1"), integer_field<int>(crop, "col0"),
                       integer_field<int>(crop, "col1")};
  m.preprocess.windows = p.at("windows").get<std::vector<double>>();
  m.preprocess.height = integer_field<int>(p, "height");
  m.preprocess.width = integer_field<int>(p, "width");
  const std::string color = p.at("color");
  if (color != "gray" && color != "rgb") throw std::invalid_argument("preprocess colour '" + color + "' is neither gray nor rgb");
  m.preprocess.color = color == "gray" ? data::ColorMode::gray : data::ColorMode::rgb;
  m.preprocess.expected_width = integer_field<int>(p, "expected_width");
  m.preprocess.expected_height = integer_field<int>(p, "expected_height");
  m.seed = integer_field<std::uint64_t>(j, "seed");
  return m;
}

// The description must be one a model can be built from and data loaded with.
void check(const ClassifierCheckpoint& m) {
  m.config.validate();
  m.preprocess.validate();
  if (static_cast<int>(m.class_names.size()) != m.config.num_classes) {
    throw std::invalid_argument(std::to_string(m.class_names.size()) + " class names for " +
                                std::to_string(m.config.num_classes) + " classes");
  }
  if (m.preprocess.channels() != m.config.channels || m.preprocess.height != m.config.resolution ||
      m.preprocess.width != m.config.resolution) {
    throw std::invalid_argument("the preprocessing (" + m.preprocess.describe() + ") does not make the network's " +
                                std::to_string(m.config.channels) + " x " + std::to_string(m.config.resolution) + " x " +
                                std::to_string(m.config.resolution) + " input");
  }
}

}  // namespace

std::string checkpoint_to_json(const ClassifierCheckpoint& meta) { return to_json(meta).dump(); }

ClassifierCheckpoint checkpoint_from_json(const std::string& text) {
  ClassifierCheckpoint m = from_json(json::parse(text));
  check(m);
  return m;
}

void save_classifier(const std::filesystem::path& path, const GlitchClassifier& model, const ClassifierCheckpoint& meta) {
  try {
    check(meta);
    if (meta.config != model.config()) {
      throw std::invalid_argument("the description's config differs from the model's (" +
                                  config_differences(meta.config, model.config()) + ")");
    }
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path.string() + ": " + e.what());
  }
  const json description = to_json(meta);
  save_safetensors(path.string(), model.state_dict(), {{kMetaKey, description.dump()}, format_entry()});
  std::filesystem::path readable = path;
  readable.replace_extension(".json");
  const std::string text = description.dump(2) + "\n";
  write_text_file_atomic(readable, text);
}

LoadedClassifier load_classifier(const std::filesystem::path& path, Device device) {
  SafetensorsFile file = load_safetensors(path.string(), device);
  check_format(file.metadata, path);
  const auto found = file.metadata.find(kMetaKey);
  if (found == file.metadata.end()) {
    throw std::runtime_error(path.string() + ": not a glitchgan classifier checkpoint (no '" + kMetaKey + "' metadata)");
  }
  LoadedClassifier out;
  try {
    out.meta = checkpoint_from_json(found->second);
    Generator unused(0);  // the weights are overwritten from the file
    out.model = std::make_shared<GlitchClassifier>(out.meta.config, unused, TensorOptions{DType::f32, device});
    out.model->load_state_dict(file.tensors);
  } catch (const std::exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
  out.model->eval();
  return out;
}

}  // namespace gg::nets

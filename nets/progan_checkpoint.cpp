#include "nets/progan_checkpoint.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/posix_file.h"
#include "engine/serialize.h"
#include "nets/checkpoint_format.h"
#include "nets/json_fields.h"

namespace gg::nets {

using nlohmann::json;

// JSON of the option structs whose fields are stored one to one (a missing field is an error).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EmaOptions, half_life_kimg, rampup, rampup_per_level)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TimeAugmentOptions, probability, max_shift, cutout, adaptive, ada_target, ada_kimg)

namespace {

constexpr const char* kConfigKey = "glitchgan.config";
constexpr const char* kStateKey = "glitchgan.state";

json config_json(const ProganTrainConfig& c) {
  json batches = json::object();
  for (const auto& [res, batch] : c.schedule.batch_by_resolution) batches[std::to_string(res)] = batch;
  return {
      {"net",
       {{"resolution", c.net.resolution},
        {"channels", c.net.channels},
        {"fmap_base", c.net.fmap_base},
        {"fmap_max", c.net.fmap_max},
        {"latent_size", c.net.latent_size},
        {"num_classes", c.net.num_classes},
        {"mbstd_group_size", c.net.mbstd_group_size}}},
      {"schedule",
       {{"stabilize_kimg", c.schedule.stabilize_kimg},
        {"fade_kimg", c.schedule.fade_kimg},
        {"batch_by_resolution", batches},
        {"batch_default", c.schedule.batch_default},
        {"minibatch_repeats", c.schedule.minibatch_repeats},
        {"total_kimg", c.schedule.total_kimg}}},
      {"loss",
       {{"lambda", c.loss.lambda}, {"target", c.loss.target}, {"drift", c.loss.drift}, {"cond_weight", c.loss.cond_weight},
        {"classify_fakes", c.loss.classify_fakes}}},
      {"adam", {{"lr", c.adam.lr}, {"beta1", c.adam.beta1}, {"beta2", c.adam.beta2}, {"eps", c.adam.eps}}},
      {"ema", c.ema},
      {"augment", c.augment},
      {"seed", c.seed},
      {"class_names", c.class_names},
      {"window", c.window},
      {"grid_count", c.grid_count},
  };
}

ProganTrainConfig config_from(const json& j) {
  ProganTrainConfig c;
  const json& net = j.at("net");
  c.net.resolution = integer_field<int>(net, "resolution");
  c.net.channels = integer_field<int>(net, "channels");
  c.net.fmap_base = integer_field<int>(net, "fmap_base");
  c.net.fmap_max = integer_field<int>(net, "fmap_max");
  c.net.latent_size = integer_field<int>(net, "latent_size");
  c.net.num_classes = integer_field<int>(net, "num_classes");
  c.net.mbstd_group_size = integer_field<int>(net, "mbstd_group_size");
  const json& s = j.at("schedule");
  c.schedule.stabilize_kimg = s.at("stabilize_kimg");
  c.schedule.fade_kimg = s.at("fade_kimg");
  c.schedule.batch_by_resolution.clear();
  for (const auto& [res, batch] : s.at("batch_by_resolution").items())
    c.schedule.batch_by_resolution[std::stoi(res)] = json_integer<int>(batch, "batch_by_resolution/" + res);
  c.schedule.batch_default = integer_field<int>(s, "batch_default");
  c.schedule.minibatch_repeats = integer_field<int>(s, "minibatch_repeats");
  c.schedule.total_kimg = s.at("total_kimg");
  const json& loss = j.at("loss");
  c.loss = {loss.at("lambda"), loss.at("target"), loss.at("drift"), loss.at("cond_weight"),
            loss.value("classify_fakes", true)};  // checkpoints before the option trained the official way
  const json& adam = j.at("adam");
  c.adam.lr = adam.at("lr");
  c.adam.beta1 = adam.at("beta1");
  c.adam.beta2 = adam.at("beta2");
  c.adam.eps = adam.at("eps");
  if (!j.contains("ema") && j.contains("ema_beta")) {
    throw std::invalid_argument("the run was written by an older glitchgan whose generator EMA had a fixed beta; "
                                "its Gs would continue differently: train it again");
  }
  json ema = j.at("ema");
  // Runs from before rampup_per_level ramped up over the whole run; they continue that way.
  if (!ema.contains("rampup_per_level")) ema["rampup_per_level"] = false;
  c.ema = ema.get<EmaOptions>();
  c.augment = j.at("augment").get<TimeAugmentOptions>();
  c.seed = integer_field<std::uint64_t>(j, "seed");
  c.class_names = j.at("class_names").get<std::vector<std::string>>();
  c.window = j.at("window");
  c.grid_count = integer_field<int>(j, "grid_count");
  c.validate();
  return c;
}

json stream_json(const RngState& r) { return {{"seed", r.seed}, {"offset", r.offset}}; }
RngState stream_from(const json& j) {
  return {integer_field<std::uint64_t>(j, "seed"), integer_field<std::uint64_t>(j, "offset")};
}

json state_json(const TrainingState& s, const SchedulePoint& next) {
  return {
      {"step", s.step},
      {"images_shown", s.images_shown},
      {"kimg", s.kimg()},
      {"previous_lod", s.previous_lod},
      // Where the run goes on from (derived from kimg; for people reading the file).
      {"level", next.level},
      {"resolution", next.resolution},
      {"phase", phase_name(next.phase)},
      {"alpha", next.alpha},
      {"rng",
       {{"latents", stream_json(s.latents)},
        {"mixing", stream_json(s.mixing)},
        {"labels", stream_json(s.labels)},
        {"augment", stream_json(s.augment)}}},
      {"augment_probability", s.augment_probability},
      {"data", {{"seed", s.data_seed}, {"position", s.data_position}, {"size", s.data_size}}},
  };
}

TrainingState state_from(const json& j) {
  TrainingState s;
  s.step = integer_field<std::int64_t>(j, "step");
  s.images_shown = integer_field<std::int64_t>(j, "images_shown");
  s.previous_lod = j.at("previous_lod");
  const json& rng = j.at("rng");
  s.latents = stream_from(rng.at("latents"));
  s.mixing = stream_from(rng.at("mixing"));
  s.labels = stream_from(rng.at("labels"));
  s.augment = stream_from(rng.at("augment"));
  s.augment_probability = j.at("augment_probability");
  const json& data = j.at("data");
  s.data_seed = integer_field<std::uint64_t>(data, "seed");
  s.data_position = integer_field<std::uint64_t>(data, "position");
  s.data_size = integer_field<std::uint64_t>(data, "size");
  return s;
}

}  // namespace

std::string config_to_json(const ProganTrainConfig& config) { return config_json(config).dump(); }

ProganTrainConfig config_from_json(const std::string& text) { return config_from(json::parse(text)); }

TrainingState state_from_json(const std::string& text) { return state_from(json::parse(text)); }

std::string config_differences(const ProganTrainConfig& a, const ProganTrainConfig& b) {
  std::string out;
  for (const json& op : json::diff(config_json(a), config_json(b))) out += (out.empty() ? "" : " ") + op.at("path").get<std::string>();
  return out;
}

void save_checkpoint(const ProganTrainer& trainer, const std::filesystem::path& file) {
  const json config = config_json(trainer.config());
  const json state = state_json(trainer.state(), trainer.next_point());
  save_safetensors(file.string(), trainer.tensors(),
                   {{kConfigKey, config.dump()}, {kStateKey, state.dump()}, format_entry()});
  std::filesystem::path readable = file;
  readable.replace_extension(".json");
  const std::string text = json{{"config", config}, {"state", state}}.dump(2) + "\n";
  write_text_file_atomic(readable, text);
}

Checkpoint read_checkpoint(const std::filesystem::path& file, Device device) {
  SafetensorsFile loaded = load_safetensors(file.string(), device);
  check_format(loaded.metadata, file);
  const auto config = loaded.metadata.find(kConfigKey), state = loaded.metadata.find(kStateKey);
  if (config == loaded.metadata.end() || state == loaded.metadata.end()) {
    throw std::runtime_error(file.string() + ": not a glitchgan ProGAN checkpoint (no '" + kConfigKey + "' / '" +
                             kStateKey + "' metadata)");
  }
  Checkpoint out;
  try {
    out.config = config_from(json::parse(config->second));
    out.state = state_from(json::parse(state->second));
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": bad checkpoint metadata: " + e.what());
  }
  out.tensors = std::move(loaded.tensors);
  return out;
}

void restore_checkpoint(ProganTrainer& trainer, const Checkpoint& checkpoint, const std::filesystem::path& file) {
  const std::string differences = config_differences(checkpoint.config, trainer.config());
  if (!differences.empty()) {
    throw std::runtime_error(file.string() + ": the checkpoint was made with other settings: " + differences);
  }
  try {
    trainer.restore(checkpoint.tensors, checkpoint.state);
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
}

TrainedGenerator load_trained_generator(const std::filesystem::path& file, Device device, GanWeights weights) {
  Checkpoint checkpoint = read_checkpoint(file, device);
  TrainedGenerator out;
  out.config = checkpoint.config;
  out.config.device = device;
  out.state = checkpoint.state;
  out.point = schedule_at(out.config.schedule, out.state.kimg());
  Generator unused_init(0);  // the weights are overwritten from the file
  out.generator = std::make_unique<ProganGenerator>(out.config.net, unused_init, TensorOptions{DType::f32, device});
  const std::string prefix = weights == GanWeights::ema ? "Gs." : "G.";
  TensorMap g;
  for (const auto& [name, t] : checkpoint.tensors)
    if (name.rfind(prefix, 0) == 0) g[name.substr(prefix.size())] = t;
  try {
    out.generator->load_state_dict(g);
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
  out.generator->eval();
  return out;
}

}  // namespace gg::nets

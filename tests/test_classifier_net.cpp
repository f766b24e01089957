// The classifier network and its checkpoints.
#include <doctest/doctest.h>

#include "engine/serialize.h"
#include "nets/checkpoint_format.h"
#include "nets/classifier_checkpoint.h"
#include "nets/classifier_trainer.h"
#include "tests/temp_dir.h"
#include "tests/test_classifier_helpers.h"

using namespace gg;

TEST_CASE("classifier net: the parameter count at the defaults is in 0.3-3 M") {
  Generator init(1);
  nets::ClassifierConfig config;
  config.num_classes = 22;
  const nets::GlitchClassifier net(config, init);
  // Per block: two bias-free 3x3 convolutions and two batch norms (scale and shift); then the head.
  std::int64_t expected = 0;
  int in = 1;
  for (int w : config.widths) {
    expected += 9 * in * w + 9 * w * w + 4 * w;
    in = w;
  }
  expected += in * 22 + 22;
  CHECK(net.parameter_count() == expected);
  CHECK(net.parameter_count() > 300'000);
  CHECK(net.parameter_count() < 3'000'000);
}

TEST_CASE("classifier net: logits per sample, and the config is checked naming the field") {
  Generator init(3), drop(4);
  nets::GlitchClassifier net(testing::small_net(), init);
  const Tensor x = Tensor::rand({5, 1, 16, 16}, init, {}, -1, 1);
  CHECK(net.forward(x, drop).shape() == Shape{5, 4});
  CHECK_THROWS_WITH_AS(net.forward(Tensor::zeros({5, 1, 32, 32}), drop), doctest::Contains("(N, 1, 16, 16)"),
                       std::invalid_argument);
  nets::ClassifierConfig bad = testing::small_net();
  bad.resolution = 18;  // two pooling blocks need a multiple of 4
  CHECK_THROWS_WITH_AS(bad.validate(), doctest::Contains("resolution"), std::invalid_argument);
  bad = testing::small_net();
  bad.num_classes = 1;
  CHECK_THROWS_WITH_AS(bad.validate(), doctest::Contains("num_classes"), std::invalid_argument);
  bad = testing::small_net();
  bad.dropout = 1;
  CHECK_THROWS_WITH_AS(bad.validate(), doctest::Contains("dropout"), std::invalid_argument);
  bad = testing::small_net();
  bad.widths = {8, 0};
  CHECK_THROWS_WITH_AS(bad.validate(), doctest::Contains("widths"), std::invalid_argument);
  bad = testing::small_net();
  bad.widths = {8, 32};
  CHECK(nets::config_differences(testing::small_net(), bad) == "widths 8,16 vs 8,32");
}

TEST_CASE("classifier net: eval mode is deterministic, training mode applies dropout") {
  Generator init(5), drop(6);
  nets::ClassifierConfig config = testing::small_net();
  config.dropout = 0.5;
  nets::GlitchClassifier net(config, init);
  const Tensor x = Tensor::rand({8, 1, 16, 16}, init, {}, -1, 1);
  net.eval();
  const std::vector<float> a = net.forward(x, drop).to_vector<float>(), b = net.forward(x, drop).to_vector<float>();
  CHECK(a == b);
  net.train();
  CHECK(net.forward(x, drop).to_vector<float>() != net.forward(x, drop).to_vector<float>());
}

TEST_CASE("classifier checkpoint: a round trip gives identical predictions and the same description") {
  const testing::TempDir tmp("gg_classifier_checkpoint");
  const std::filesystem::path& dir = tmp.path();
  Generator init(7), drop(8);
  nets::GlitchClassifier net(testing::small_net(), init);
  // A few training-mode passes move the batch-norm running statistics away from their start.
  for (int i = 0; i < 3; ++i) net.forward(Tensor::rand({8, 1, 16, 16}, init, {}, -1, 1), drop);
  nets::ClassifierCheckpoint meta;
  meta.config = testing::small_net();
  meta.class_names = testing::bar_classes();
  meta.preprocess.height = meta.preprocess.width = 16;
  meta.preprocess.windows = {2.0};
  meta.seed = 42;
  nets::save_classifier(dir / "c.safetensors", net, meta);
  CHECK(std::filesystem::exists(dir / "c.json"));

  const nets::LoadedClassifier loaded = nets::load_classifier(dir / "c.safetensors", Device::cpu());
  CHECK(!loaded.model->is_training());
  CHECK(nets::checkpoint_to_json(loaded.meta) == nets::checkpoint_to_json(meta));
  CHECK(loaded.meta.preprocess.windows == std::vector<double>{2.0});
  const data::Dataset data = testing::bars_dataset(24, 16, 9);
  const nets::Predictions before = nets::predict(net, data, 10, Device::cpu());
  const nets::Predictions after = nets::predict(*loaded.model, data, 7, Device::cpu());
  CHECK(before.predicted == after.predicted);
  CHECK(before.probabilities == after.probabilities);
  CHECK(net.is_training());  // predict restores the mode it found
}

TEST_CASE("classifier checkpoint: bad descriptions and foreign files are errors naming the file") {
  const testing::TempDir tmp("gg_classifier_checkpoint_errors");
  const std::filesystem::path& dir = tmp.path();
  Generator init(1);
  nets::GlitchClassifier net(testing::small_net(), init);
  nets::ClassifierCheckpoint meta;
  meta.config = testing::small_net();
  meta.class_names = {"A", "B"};  // 2 names for 4 classes
  meta.preprocess.height = meta.preprocess.width = 16;
  CHECK_THROWS_WITH_AS(nets::save_classifier(dir / "c.safetensors", net, meta), doctest::Contains("c.safetensors"),
                       std::invalid_argument);
  meta.class_names = testing::bar_classes();
  meta.preprocess.height = meta.preprocess.width = 64;  // does not make 16x16 inputs
  CHECK_THROWS_WITH_AS(nets::save_classifier(dir / "c.safetensors", net, meta), doctest::Contains("preprocessing"),
                       std::invalid_argument);
  CHECK(!std::filesystem::exists(dir / "c.safetensors"));
  save_safetensors((dir / "other.safetensors").string(), net.state_dict());
  CHECK_THROWS_WITH_AS(nets::load_classifier(dir / "other.safetensors", Device::cpu()),
                       doctest::Contains("not a glitchgan classifier checkpoint"), std::runtime_error);

  // A checkpoint of a newer format, or one whose format is not a number, is refused by name; one
  // without the key (written before it existed) is read.
  meta.preprocess.height = meta.preprocess.width = 16;
  nets::save_classifier(dir / "c.safetensors", net, meta);
  SafetensorsFile raw = load_safetensors((dir / "c.safetensors").string());
  CHECK(raw.metadata.at(nets::kFormatKey) == "1");
  for (const auto& [format, error] : {std::pair{"7", "c.safetensors: written in checkpoint format 7 by a newer glitchgan"},
                                      std::pair{"1x", "c.safetensors: bad checkpoint format '1x'"},
                                      std::pair{"0", "c.safetensors: bad checkpoint format '0'"}}) {
    raw.metadata[nets::kFormatKey] = format;
    save_safetensors((dir / "c.safetensors").string(), raw.tensors, raw.metadata);
    CHECK_THROWS_WITH_AS(nets::load_classifier(dir / "c.safetensors", Device::cpu()), doctest::Contains(error),
                         std::runtime_error);
  }
  raw.metadata.erase(nets::kFormatKey);
  save_safetensors((dir / "c.safetensors").string(), raw.tensors, raw.metadata);
  CHECK(nets::load_classifier(dir / "c.safetensors", Device::cpu()).meta.class_names == testing::bar_classes());
}

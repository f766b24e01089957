// The glitch classifier's training step at the configuration: 64x64, batch 32, 1 channel,
// 22 classes, default widths (32, 64, 128, 256): forward in training mode (batch norm, dropout),
// cross-entropy, backward, Adam. The images are fixed random tensors, so data loading is not timed
// (bench/pytorch_classifier_step.py times the same thing). Also the eval-mode forward (prediction).
//
// FLOP/s counts the convolutions and the head (everything else is memory-bound): a step costs
// 3x the forward FLOPs (forward, input gradient, weight gradient), less the first convolution's
// input gradient, which nothing needs.
//
// BM_ClassifierRun times a whole short training run instead, the throughput a user of
// train-classifier sees (see there).

#include "bench/profiled_main.h"
#include "bench/roofline.h"
#include "engine/optim.h"
#include "nets/classifier.h"
#include "nets/classifier_trainer.h"

namespace {

using namespace gg;

constexpr int kBatch = 32, kResolution = 64, kChannels = 1, kClasses = 22;

nets::ClassifierConfig bench_net() {
  nets::ClassifierConfig c;
  c.channels = kChannels;
  c.resolution = kResolution;
  c.num_classes = kClasses;
  return c;
}

// 2 FLOPs per multiply-add of each convolution at its input size, and of the head.
struct Flops {
  double forward = 0, first_conv = 0;
};
Flops classifier_flops(const nets::ClassifierConfig& c) {
  Flops f;
  double pixels = static_cast<double>(c.resolution) * c.resolution;
  int in = c.channels;
  for (int w : c.widths) {
    const double first = 2.0 * kBatch * pixels * in * w * 9;
    if (f.first_conv == 0) f.first_conv = first;
    f.forward += first + 2.0 * kBatch * pixels * w * w * 9;
    pixels /= 4;
    in = w;
  }
  f.forward += 2.0 * kBatch * in * c.num_classes;
  return f;
}

struct Inputs {
  Tensor images;
  std::vector<int> labels;
};
Inputs random_inputs() {
  Generator gen(2);
  Inputs in{Tensor::rand({kBatch, kChannels, kResolution, kResolution}, gen, {}, -1, 1), {}};
  for (int i = 0; i < kBatch; ++i) in.labels.push_back(i % kClasses);
  return in;
}

void BM_ClassifierTrainStep(benchmark::State& state) {
  Generator init(1), drop(3);
  nets::GlitchClassifier model(bench_net(), init);
  Adam optimizer(model.parameters(), {.lr = 1e-3});
  const Inputs in = random_inputs();
  auto step = [&] {
    optimizer.zero_grad();
    const Tensor loss = cross_entropy(model.forward(in.images, drop), in.labels);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.item());
  };
  step();  // warm-up: allocations, Adam's state
  for (auto _ : state) step();
  const Flops f = classifier_flops(model.config());
  state.SetLabel(std::to_string(model.parameter_count()) + " parameters");
  bench::report_flops(state, 3 * f.forward - f.first_conv);
}

void BM_ClassifierPredict(benchmark::State& state) {
  Generator init(1), drop(3);
  nets::GlitchClassifier model(bench_net(), init);
  model.eval();
  const Inputs in = random_inputs();
  for (auto _ : state) {
    NoGrad no_grad;
    const Tensor logits = model.forward(in.images, drop);  // (N, classes)
    benchmark::DoNotOptimize(logits.data<float>());
  }
  bench::report_flops(state, classifier_flops(model.config()).forward);
}

// `per_class` random images of each class (their content does not change the work).
data::Dataset random_dataset(int per_class, std::uint64_t seed) {
  Generator gen(seed);
  const int count = per_class * kClasses;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(count) * kChannels * kResolution * kResolution);
  for (std::uint8_t& p : pixels) p = static_cast<std::uint8_t>(gen.next_u64());
  std::vector<std::string> names;
  for (int k = 0; k < kClasses; ++k) names.push_back("Class" + std::to_string(k));
  std::vector<int> labels;
  for (int i = 0; i < count; ++i) labels.push_back(i % kClasses);
  return data::Dataset(std::move(names), kChannels, kResolution, kResolution, std::move(pixels), std::move(labels),
                       std::vector<data::SampleInfo>(static_cast<std::size_t>(count)));
}

// A whole short run as train-classifier makes it, files aside: 3 epochs over 32 images of each
// class (704, 22 batches of 32 an epoch) with 8 of each (176) for validation, default options:
// shuffled batches from the prefetching loader, the training steps, then each epoch the precise
// batch-norm pass over the training images, validation and the best epoch's snapshot
// (nets/classifier_trainer.cpp). bench/pytorch_classifier_step.py --whole-run mirrors it. Reports
// training images/s over the run.
void BM_ClassifierRun(benchmark::State& state) {
  constexpr int kEpochs = 3;
  const data::Dataset train = random_dataset(32, 4), validation = random_dataset(8, 5);
  nets::ClassifierTrainOptions options;
  options.net = bench_net();
  options.epochs = kEpochs;
  options.batch = kBatch;
  std::int64_t images = 0;
  for (auto _ : state) {
    const nets::ClassifierTrainResult result = nets::train_classifier(train, validation, options);
    images += static_cast<std::int64_t>(result.history.size() * nets::steps_per_epoch(train.size(), options)) * kBatch;
  }
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(images), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_ClassifierTrainStep)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_ClassifierPredict)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_ClassifierRun)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace

int main(int argc, char** argv) { return gg::bench::run_with_profile(argc, argv); }

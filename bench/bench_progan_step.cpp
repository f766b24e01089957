// One whole ProGAN training iteration, as ProganTrainer runs it: a discriminator step with the
// exact WGAN-GP loss (three D passes, the penalty's create_graph gradient and the double backward
// into D's weights), the EMA update, and a generator step. Batch 16, 3 channels, fmap_base 2048,
// fmap_max 256, at 16x16, 32x32 and 64x64, stabilizing (alpha 1) and mid-fade (alpha 0.5). And a
// whole short run on the demo's network, in images/s (BM_ProganRun).
//
// FLOP/s counts the convolutions and dense layers only (everything else is memory-bound) with the
// usual rule that a backward pass costs twice its forward: per iteration about
// 4 F_G + 14 F_D, F_G and F_D one forward pass of G and D (see iteration_flops).
#include <bit>

#include "bench/profiled_main.h"
#include "bench/roofline.h"
#include "nets/progan_trainer.h"

namespace {

using namespace gg;
using namespace gg::nets;

constexpr int kBatch = 16, kChannels = 3;

ProganConfig bench_net(int resolution) {
  return {.resolution = resolution, .channels = kChannels, .fmap_base = 2048, .fmap_max = 256};
}

// Forward FLOPs (2 per multiply-add) of G and D at `level`, with the faded-out branch when alpha < 1.
struct ForwardFlops {
  double g = 0, d = 0;
};
ForwardFlops forward_flops(const ProganConfig& c, int level, bool fading) {
  auto nf = [&](int stage) { return static_cast<double>(progan_features(c, stage)); };
  auto conv = [](double pixels, double in, double out, double taps) { return 2.0 * kBatch * pixels * in * out * taps; };
  ForwardFlops f;
  const double latent = progan_latent_size(c);
  f.g = 2.0 * kBatch * latent * nf(1) * 16 + conv(16, nf(1), nf(1), 9);
  f.d = conv(16, nf(1) + 1, nf(1), 9) + 2.0 * kBatch * nf(1) * 16 * nf(0) + 2.0 * kBatch * nf(0) * (1 + c.num_classes);
  for (int l = 3; l <= level; ++l) {
    const double pixels = static_cast<double>(1 << (2 * l));
    // G's conv0_up: one stride-2 transposed 4x4 convolution (16 taps per input pixel), then conv1 (3x3).
    f.g += conv(pixels / 4, nf(l - 2), nf(l - 1), 16) + conv(pixels, nf(l - 1), nf(l - 1), 9);
    // D's conv0 (3x3), then conv1_down: one stride-2 4x4 convolution.
    f.d += conv(pixels, nf(l - 1), nf(l - 1), 9) + conv(pixels / 4, nf(l - 1), nf(l - 2), 16);
  }
  const double pixels = static_cast<double>(1 << (2 * level));
  f.g += conv(pixels, nf(level - 1), kChannels, 1);
  f.d += conv(pixels, kChannels, nf(level - 1), 1);
  if (fading) {
    f.g += conv(pixels / 4, nf(level - 2), kChannels, 1);
    f.d += conv(pixels / 4, kChannels, nf(level - 2), 1);
  }
  return f;
}

// D step: G forward, D forward on reals, fakes and mixes (3 F_D), the input gradient (F_D), and the
// backward of all of it (2 x 3 F_D + 2 x F_D). G step: G and D forward, D's input gradient, G's
// backward (2 F_G).
double iteration_flops(const ForwardFlops& f) { return 4 * f.g + 14 * f.d; }

// A data set of random images; their content does not change the work.
data::Dataset random_images(int count, int resolution, int channels = kChannels) {
  Generator gen(1);
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(count) * channels * resolution * resolution);
  for (std::uint8_t& p : pixels) p = static_cast<std::uint8_t>(gen.next_u64());
  return data::Dataset({"Random"}, channels, resolution, resolution, std::move(pixels),
                       std::vector<int>(static_cast<std::size_t>(count), 0),
                       std::vector<data::SampleInfo>(static_cast<std::size_t>(count)));
}

void BM_ProganIteration(benchmark::State& state) {
  const int resolution = static_cast<int>(state.range(0));
  const bool fading = state.range(1) == 1;
  ProganTrainConfig config;
  config.net = bench_net(resolution);
  // Long phases, so that the few kimg a benchmark runs stay at one level and (nearly) one alpha.
  config.schedule.stabilize_kimg = config.schedule.fade_kimg = 1e6;
  config.schedule.total_kimg = 1e9;
  config.schedule.set_constant_batch(kBatch);
  config.schedule.minibatch_repeats = 1;  // a round is one iteration
  config.class_names = {"Random"};
  ProganTrainer trainer(config, random_images(64, resolution));
  const int level = std::countr_zero(static_cast<unsigned>(resolution));
  // Jump to the final level: mid-fade (alpha 0.5) or stabilizing.
  TrainingState start = trainer.state();
  const double phase = config.schedule.stabilize_kimg + config.schedule.fade_kimg;
  const double kimg = fading ? (level - 3) * phase + config.schedule.stabilize_kimg + 0.5 * config.schedule.fade_kimg
                             : (level - 2) * phase + 1;
  start.images_shown = static_cast<std::int64_t>(kimg * 1000);
  trainer.restore(trainer.tensors(), start);
  trainer.train_round();  // warm-up: allocations, the optimizer reset

  for (auto _ : state) trainer.train_round();
  const SchedulePoint p = trainer.next_point();
  state.SetLabel(std::to_string(p.resolution) + "x" + std::to_string(p.resolution) + " alpha " + std::to_string(p.alpha).substr(0, 4));
  bench::report_flops(state, iteration_flops(forward_flops(config.net, level, fading)));
}

// A whole run, the throughput a user of `train-gan` sees (files aside): every phase from 4x4 to
// 32x32 on the demo's network (1 channel, fmap_base 512, fmap_max 128, batch 16; unconditional,
// no augmentation, so bench/pytorch_progan_step.py --whole-run can mirror it exactly), with
// state.range(0) images per phase: level changes, optimizer resets, the EMA, reading and
// downscaling the reals, all of it. Reports images/s over the run.
void BM_ProganRun(benchmark::State& state) {
  const double kimg_per_phase = static_cast<double>(state.range(0)) / 1000;
  ProganTrainConfig config;
  config.net = {.resolution = 32, .channels = 1, .fmap_base = 512, .fmap_max = 128};
  config.schedule.stabilize_kimg = config.schedule.fade_kimg = kimg_per_phase;
  config.schedule.set_constant_batch(kBatch);
  config.class_names = {"Random"};
  const data::Dataset reals = random_images(256, config.net.resolution, config.net.channels);
  std::int64_t images = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ProganTrainer trainer(config, reals);
    state.ResumeTiming();
    while (!trainer.finished()) trainer.train_round();
    images += trainer.state().images_shown;
  }
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(images), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_ProganRun)->ArgName("images_per_phase")->Arg(500)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

BENCHMARK(BM_ProganIteration)
    ->ArgNames({"res", "fading"})
    ->ArgsProduct({{16, 32, 64}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) { return gg::bench::run_with_profile(argc, argv); }

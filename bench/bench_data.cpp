// The data pipeline: synthetic spectrograms per second, PNG decoding in MB/s of pixels, and
// training batches per second at 64x64 from the memory-mapped cache with prefetch.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "data/batches.h"
#include "data/gravityspy_loader.h"
#include "data/png_io.h"
#include "data/prefetcher.h"
#include "data/samplers.h"
#include "data/synth/glitch_models.h"
#include "data/synth/synth_dataset.h"
#include "data/synth/synth_scan.h"

namespace {

namespace fs = std::filesystem;
using namespace gg::data;

// One glitch of the given class with all four windows: draw, noise, Q transform, four plots.
void BM_synth_glitch(benchmark::State& state) {
  const int class_index = static_cast<int>(state.range(0));
  const std::vector<double> windows{0.5, 1.0, 2.0, 4.0};
  std::uint64_t index = 0;
  for (auto _ : state) benchmark::DoNotOptimize(synth::synth_glitch(class_index, 1, index++, windows));
  state.counters["spectrograms/s"] = benchmark::Counter(static_cast<double>(state.iterations() * windows.size()),
                                                        benchmark::Counter::kIsRate);
  state.SetLabel(synth::kGlitchClasses[class_index]);
}

// The same plus PNG encoding at the synth command's compression level: what `glitchgan synth` does per glitch.
void BM_synth_glitch_to_png(benchmark::State& state) {
  const std::vector<double> windows{0.5, 1.0, 2.0, 4.0};
  const int level = synth::SynthDatasetOptions{}.png_compression;
  std::uint64_t index = 0;
  for (auto _ : state) {
    const synth::SynthGlitch g = synth::synth_glitch(synth::glitch_class_index("Blip"), 1, index++, windows);
    for (const Image& image : g.images) benchmark::DoNotOptimize(encode_png(image, level));
  }
  state.counters["spectrograms/s"] = benchmark::Counter(static_cast<double>(state.iterations() * windows.size()),
                                                        benchmark::Counter::kIsRate);
}

// Decoding an 800x600 RGB synthetic scan (zlib level 6, as most PNG writers); bytes/s counts decoded pixel bytes.
void BM_png_decode(benchmark::State& state) {
  const synth::SynthGlitch g = synth::synth_glitch(synth::glitch_class_index("Whistle"), 1, 0, {1.0});
  const std::vector<std::uint8_t> bytes = encode_png(g.images[0], 6);
  std::size_t pixel_bytes = 0;
  for (auto _ : state) {
    const Image image = decode_png(bytes, "sample");
    pixel_bytes = image.pixels.size();
    benchmark::DoNotOptimize(image.pixels.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * pixel_bytes));
  state.counters["file MB/s"] = benchmark::Counter(static_cast<double>(state.iterations() * bytes.size()) / 1e6,
                                                   benchmark::Counter::kIsRate);
}

// Batches of 32 gray 64x64 images from the cache of a synthetic set, class-balanced, prefetched.
void BM_cached_batches(benchmark::State& state) {
  const fs::path root = fs::temp_directory_path() / "gg_bench_data";
  if (!fs::exists(root / "set")) {
    synth::SynthDatasetOptions synth_options;
    synth_options.out = root / "set";
    synth_options.per_class = 4;
    synth_options.windows = {1.0};
    synth::write_synth_dataset(synth_options);
  }
  LoadOptions options;
  options.root = root / "set";
  options.cache_dir = root / "cache";
  load_gravityspy(options);  // builds the cache once
  const Dataset dataset = load_gravityspy(options).dataset;
  const bool prefetch = state.range(0) != 0;
  std::unique_ptr<BatchSource> source = std::make_unique<SampledBatches>(
      dataset, std::make_unique<BalancedSampler>(dataset.labels(), dataset.num_classes(), 1), 32);
  if (prefetch) source = std::make_unique<Prefetcher>(std::move(source), 4);
  for (auto _ : state) benchmark::DoNotOptimize(source->next());
  state.counters["batches/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.SetLabel(prefetch ? "32x1x64x64, prefetch" : "32x1x64x64, no prefetch");
}

}  // namespace

BENCHMARK(BM_synth_glitch)->Arg(3)->Arg(16)->Arg(21)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_synth_glitch_to_png)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_png_decode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cached_batches)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_MAIN();

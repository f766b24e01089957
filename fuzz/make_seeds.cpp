// gg_fuzz_seeds SAMPLE_DIR OUT_DIR: writes a seed corpus for each harness, OUT_DIR/<harness>/, from
// real files: PNG crops of the Gravity Spy sample in every colour type libpng's simplified writer
// makes, the sample's dataset cache, a ProGAN and a classifier checkpoint (files and JSON documents)
// written the way training writes them, and a metadata CSV in the release's 28-column layout.
// scripts/fuzz.sh adds the benchmark JSON files of bench/results.
#include <png.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/dataset_cache.h"
#include "data/gravityspy_layout.h"
#include "data/gravityspy_loader.h"
#include "data/png_io.h"
#include "engine/serialize.h"
#include "nets/classifier_checkpoint.h"
#include "nets/progan_checkpoint.h"

namespace fs = std::filesystem;
using namespace gg;

namespace {

void write_file(const fs::path& path, const void* data, std::size_t size) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) throw std::runtime_error(path.string() + ": cannot write");
}
void write_text(const fs::path& path, const std::string& text) { write_file(path, text.data(), text.size()); }

// A crop of a real figure (part of the plot and its frame) in each of libpng's simplified formats.
void png_seeds(const fs::path& figure, const fs::path& out, const std::string& prefix) {
  const data::Image rgba = data::read_png(figure);
  const data::Image crop = data::crop(rgba, {50, 74, 80, 112});  // 24 x 32
  const struct {
    const char* name;
    png_uint_32 format;
  } formats[] = {{"gray", PNG_FORMAT_GRAY},       {"gray_alpha", PNG_FORMAT_GA},
                 {"rgb", PNG_FORMAT_RGB},         {"rgba", PNG_FORMAT_RGBA},
                 {"gray16", PNG_FORMAT_LINEAR_Y}, {"palette_rgba", PNG_FORMAT_RGBA_COLORMAP}};
  for (const auto& f : formats) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    image.width = static_cast<png_uint_32>(crop.width);
    image.height = static_cast<png_uint_32>(crop.height);
    image.format = f.format;
    // Pixels in the format's layout: the simplified reader converts the RGBA crop for us.
    png_image reader{};
    reader.version = PNG_IMAGE_VERSION;
    const std::vector<std::uint8_t> source = data::encode_png(data::to_rgb(crop), 1);
    if (!png_image_begin_read_from_memory(&reader, source.data(), source.size()))
      throw std::runtime_error(std::string("libpng: ") + reader.message);
    reader.format = f.format;
    // A colour-mapped read builds its own palette of up to 256 entries.
    std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(reader)), colormap(f.format & PNG_FORMAT_FLAG_COLORMAP ? 256 * 4 : 0);
    if (!png_image_finish_read(&reader, nullptr, pixels.data(), 0, colormap.empty() ? nullptr : colormap.data()))
      throw std::runtime_error(std::string("libpng: ") + reader.message);
    image.colormap_entries = reader.colormap_entries;
    png_alloc_size_t size = 0;
    png_image_write_get_memory_size(image, size, 0, pixels.data(), 0, colormap.empty() ? nullptr : colormap.data());
    std::vector<std::uint8_t> png(size);
    if (!png_image_write_to_memory(&image, png.data(), &size, 0, pixels.data(), 0,
                                   colormap.empty() ? nullptr : colormap.data()))
      throw std::runtime_error(std::string("libpng: ") + image.message);
    write_file(out / (prefix + f.name + ".png"), png.data(), size);
  }
  const std::vector<std::uint8_t> ours = data::encode_png(data::to_gray(crop));
  write_file(out / (prefix + "encode_png_gray.png"), ours.data(), ours.size());
}

// The release's columns, one row per glitch of the sample, splits in turn; one field quoted.
void csv_seed(const fs::path& sample, const fs::path& out) {
  static const char* kSplits[] = {"train", "validation", "test"};
  std::string csv =
      "event_time,ifo,peak_time,peak_time_ns,start_time,start_time_ns,duration,search,process_id,event_id,"
      "peak_frequency,central_freq,bandwidth,channel,amplitude,snr,confidence,chisq,chisq_dof,param_one_name,"
      "param_one_value,gravityspy_id,label,sample_type,url1,url2,url3,url4\n";
  const data::LayoutScan scan = data::scan_layout(sample, false);
  for (std::size_t i = 0; i < scan.glitches.size(); ++i) {
    const data::GlitchFiles& g = scan.glitches[i];
    csv += "1126400000.5," + g.ifo + ",1126400000,500000000,1126399999,0,1.5,\"All, O1\",0,0,120.5,300,500,"
           "GDS-CALIB_STRAIN,1e-21,12.5,0.98,0,0,phi,0," + g.id + "," + g.label + "," + kSplits[i % 3] +
           ",http://a,http://b,http://c,http://d\n";
  }
  write_text(out / "trainingset_v1d1_metadata.csv", csv);
}

data::LoadedDataset load_sample(const fs::path& sample, const fs::path& cache_dir) {
  data::LoadOptions o;
  o.root = sample;
  o.preprocess.height = o.preprocess.width = 8;
  o.cache_dir = cache_dir;
  return data::load_gravityspy(o);
}

// A ProGAN checkpoint of a tiny run on the sample, before and after one round.
void progan_seeds(const data::Dataset& reals, const fs::path& out, const fs::path& work) {
  nets::ProganTrainConfig c;
  c.net = {.resolution = 8, .channels = 1, .fmap_base = 16, .fmap_max = 4, .num_classes = reals.num_classes()};
  c.schedule.stabilize_kimg = c.schedule.fade_kimg = 0.016;
  c.schedule.set_constant_batch(4);
  c.class_names = reals.class_names();
  c.grid_count = 4;
  nets::ProganTrainer trainer(c, reals);
  for (int round = 0; round < 2; ++round) {
    const fs::path file = work / ("progan" + std::to_string(round) + ".safetensors");
    nets::save_checkpoint(trainer, file);
    fs::copy_file(file, out / "safetensors" / file.filename(), fs::copy_options::overwrite_existing);
    const SafetensorsFile loaded = load_safetensors(file.string());
    write_text(out / "progan_config" / ("config" + std::to_string(round) + ".json"), loaded.metadata.at("glitchgan.config"));
    write_text(out / "progan_state" / ("state" + std::to_string(round) + ".json"), loaded.metadata.at("glitchgan.state"));
    trainer.train_round();
  }
}

void classifier_seeds(const data::Dataset& reals, const fs::path& out, const fs::path& work) {
  nets::ClassifierCheckpoint meta;
  meta.config = {.channels = 1, .resolution = 8, .num_classes = reals.num_classes(), .widths = {2}, .dropout = 0.5};
  meta.class_names = reals.class_names();
  meta.preprocess.height = meta.preprocess.width = 8;
  Generator init(1);
  const nets::GlitchClassifier model(meta.config, init);
  const fs::path file = work / "classifier.safetensors";
  nets::save_classifier(file, model, meta);
  fs::copy_file(file, out / "safetensors" / file.filename(), fs::copy_options::overwrite_existing);
  write_text(out / "classifier_json" / "classifier.json", nets::checkpoint_to_json(meta));
  meta.preprocess.color = data::ColorMode::rgb;
  meta.preprocess.windows = {0.5, 4.0};
  meta.config.channels = 6;
  write_text(out / "classifier_json" / "classifier_rgb.json", nets::checkpoint_to_json(meta));
}

void small_safetensors(const fs::path& out) {
  TensorMap tensors;
  tensors["a"] = Tensor::zeros({2, 3});
  tensors["b"] = Tensor::zeros({4}, {DType::f64, Device::cpu()});
  tensors["scalar"] = Tensor::zeros({});
  save_safetensors((out / "small.safetensors").string(), tensors, {{"note", "seed"}});
  save_safetensors((out / "empty.safetensors").string(), {});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: gg_fuzz_seeds SAMPLE_DIR OUT_DIR\n"
                         "  SAMPLE_DIR: the Gravity Spy sample (shared/data/gravityspy-sample)\n");
    return 2;
  }
  const fs::path sample = argv[1], out = argv[2], work = out / "work";
  try {
    for (const char* dir : {"png", "safetensors", "progan_config", "progan_state", "classifier_json", "gravityspy_csv",
                            "dataset_cache"})
      fs::create_directories(out / dir);
    fs::create_directories(work);
    const data::LayoutScan scan = data::scan_layout(sample, false);
    for (std::size_t i = 0; i < scan.glitches.size() && i < 6; i += 2)
      png_seeds(scan.glitches[i].windows[1], out / "png", std::to_string(i) + "_");
    csv_seed(sample, out / "gravityspy_csv");
    const data::LoadedDataset loaded = load_sample(sample, work / "cache");
    fs::copy_file(loaded.report.cache_file, out / "dataset_cache" / "sample-8x8.ggds", fs::copy_options::overwrite_existing);
    progan_seeds(loaded.dataset, out, work);
    classifier_seeds(loaded.dataset, out, work);
    small_safetensors(out / "safetensors");
    fs::remove_all(work);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gg_fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}

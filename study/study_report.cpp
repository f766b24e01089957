#include "study/study_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "data/image_grid.h"
#include "data/png_io.h"
#include "engine/posix_file.h"
#include "report/chart.h"
#include "report/heat_map.h"
#include "report/html_report.h"
#include "report/jsonl_series.h"
#include "study/json_values.h"

namespace gg::study {

namespace {

// Pictures of a few dozen pixels are shown enlarged, so a reader sees the spectrogram's structure.
constexpr int kSmallImageScale = 3;

report::ChartOptions chart_options(std::string title, std::string x_label, std::string y_label) {
  report::ChartOptions o;
  o.title = std::move(title);
  o.x_label = std::move(x_label);
  o.y_label = std::move(y_label);
  return o;
}

std::string percent(double v) { return std::isfinite(v) ? fmt::format("{:.1f}%", 100 * v) : std::string("n/a"); }

// "gan-pretrain", or "gan-pretrain@0.25" for a run on a share of the real images.
// A label as part of a file name: "real+gan" -> "real-gan".
std::string file_safe(std::string label) {
  std::replace(label.begin(), label.end(), '+', '-');
  return label;
}

std::string method_label(const MethodResult& m) {
  return m.real_share < 1 ? fmt::format("{}@{:g}", method_name(m.method), m.real_share) : method_name(m.method);
}

// Writes `image` as <out>/report/<name> and returns the path relative to the page.
std::string save(const data::Image& image, const std::filesystem::path& out, const std::string& name) {
  std::filesystem::create_directories(out / "report");
  data::write_png(out / "report" / name, image);
  return "report/" + name;
}

void data_section(report::HtmlReport& page, const StudyResult& r, const data::Dataset& train,
                  const data::Dataset& validation, const data::Dataset& test, const std::filesystem::path& out,
                  const ReportContext& context) {
  page.heading("Data");
  if (!context.data_description.empty()) page.paragraph(context.data_description);
  const auto val_counts = validation.class_counts(), test_counts = test.class_counts();
  std::vector<std::vector<std::string>> rows;
  for (std::size_t k = 0; k < r.class_names.size(); ++k) {
    rows.push_back({r.class_names[k], std::to_string(r.real_counts[k]), std::to_string(r.generated_counts[k]),
                    std::to_string(val_counts[k]), std::to_string(test_counts[k])});
  }
  page.table({"class", "train (real)", "generated", "validation", "test"}, rows);
  const data::Image sheet = data::contact_sheet(train, 10);
  page.image(save(sheet, out, "train-contact-sheet.png"), "Real training images, one row per class (up to 10 each)",
             sheet.width * kSmallImageScale);
}

void gan_section(report::HtmlReport& page, const StudyResult& r, const std::filesystem::path& out) {
  page.heading("ProGAN");
  page.paragraph(fmt::format("One class-conditional ProGAN trained on the real training images for {:.1f} kimg in {:.0f} s "
                             "(run folder: gan/). Sample grids from fixed latents at the end of each phase:",
                             r.gan_kimg, r.gan_seconds));
  std::vector<std::filesystem::path> grids;
  for (const auto& entry : std::filesystem::directory_iterator(r.gan_run / "samples"))
    if (entry.path().extension() == ".png") grids.push_back(entry.path());
  std::sort(grids.begin(), grids.end());
  for (const std::filesystem::path& grid : grids) {
    page.image(std::filesystem::relative(grid, out).generic_string(), grid.stem().string());
  }
  const std::filesystem::path log = r.gan_run / "log.jsonl";
  const report::ChartOptions losses = chart_options("ProGAN losses", "kimg", "loss");
  const report::ChartOptions penalty = chart_options("Gradient penalty", "kimg", "GP");
  page.images_row({{save(report::line_chart(report::series_from_jsonl(log, "kimg", {"d_loss", "g_loss"}), losses), out,
                         "gan-losses.png"),
                    "WGAN-GP losses of D and G per round"},
                   {save(report::line_chart(report::series_from_jsonl(log, "kimg", {"gp"}), penalty), out, "gan-gp.png"),
                    "Gradient penalty per round"}});
  page.paragraph(fmt::format("GAN quality in the task's terms: GAN-test (the real-only classifier recognises the class "
                             "each image was generated for; chance is {}) {} for the EMA generator Gs and {} for the "
                             "trained G; the images used come from {}. GAN-train (a classifier trained on generated "
                             "images only, on the real test split): {}.",
                             percent(1.0 / static_cast<double>(r.class_names.size())), percent(r.gan_test_ema),
                             percent(r.gan_test_raw), r.sample_weights == nets::GanWeights::ema ? "Gs" : "G",
                             percent(r.gan_train_accuracy)));
  const report::ChartOptions gan_test = chart_options("GAN-test during training", "kimg", "accuracy");
  page.image(save(report::line_chart(report::series_from_jsonl(log, "kimg", {"gan_test_ema", "gan_test_raw"}), gan_test), out,
                  "gan-test.png"),
             "GAN-test of Gs (EMA) and G (raw) against kimg; below the final resolution the images are upscaled");
  if (!std::isnan(r.swd_ema)) {
    page.paragraph(fmt::format("Sliced Wasserstein distance (x 1e3, mean over Laplacian levels; lower is closer) to the "
                               "training images at the end: Gs {:.1f}, G {:.1f}; two draws of real images: {:.1f}.",
                               r.swd_ema, r.swd_raw, r.swd_real_floor));
    const report::ChartOptions swd = chart_options("SWD during training", "kimg", "SWD x 1e3");
    page.image(save(report::line_chart(report::series_from_jsonl(log, "kimg", {"swd_ema", "swd_raw", "swd_real_floor"}), swd),
                    out, "gan-swd.png"),
               "SWD of Gs and G to the training images at each level from 8x8, and the real-vs-real floor");
  }
  const std::filesystem::path generated_sheet = out / "generated" / "contact-sheet.png";
  if (std::filesystem::exists(generated_sheet)) {
    page.image("generated/contact-sheet.png",
               "Generated images used for augmentation, one row per class (all PNGs are in generated/)",
               data::read_png(generated_sheet).width * kSmallImageScale);
  }
}

report::Series history_series(const MethodResult& m, bool accuracy) {
  report::Series s{.label = method_label(m), .x = {}, .y = {}, .error = {}};
  for (const nets::EpochReport& e : m.history) {
    s.x.push_back(e.epoch);
    s.y.push_back(accuracy ? 100 * e.validation_accuracy : e.train_loss);
  }
  return s;
}

void classifier_section(report::HtmlReport& page, const StudyResult& r, const std::filesystem::path& out) {
  page.heading("Classifiers");
  std::vector<report::Series> accuracy, loss;
  for (const MethodResult& m : r.methods) {
    accuracy.push_back(history_series(m, true));
    loss.push_back(history_series(m, false));
  }
  const report::ChartOptions acc_options = chart_options("Validation accuracy", "epoch", "accuracy (%)");
  const report::ChartOptions loss_options = chart_options("Training loss", "epoch", "cross-entropy");
  page.images_row({{save(report::line_chart(accuracy, acc_options), out, "classifier-accuracy.png"),
                    "Validation accuracy per epoch (gan-pretrain: the fine-tuning stage)"},
                   {save(report::line_chart(loss, loss_options), out, "classifier-loss.png"), "Training loss per epoch"}});
  std::vector<std::pair<std::string, std::string>> confusions;
  for (const MethodResult& m : r.methods) {
    std::vector<std::vector<double>> values;
    for (const auto& row : m.test.confusion) values.emplace_back(row.begin(), row.end());
    const std::string name = method_label(m);
    confusions.emplace_back(save(report::heat_map(values, r.class_names, r.class_names, "Confusion, " + name + " (rows: true class, columns: predicted)"), out,
                                 "confusion-" + file_safe(name) + ".png"),
                            "Test confusion matrix (rows: true class), " + name);
  }
  page.images_row(confusions);
  std::vector<std::string> header{"class", "test images"};
  for (const MethodResult& m : r.methods) header.push_back("recall " + method_label(m));
  std::vector<std::vector<std::string>> rows;
  for (std::size_t k = 0; k < r.class_names.size(); ++k) {
    std::vector<std::string> row{r.class_names[k], std::to_string(r.methods.front().test.per_class[k].support)};
    for (const MethodResult& m : r.methods) row.push_back(percent(m.test.per_class[k].recall));
    rows.push_back(row);
  }
  page.table(header, rows);
}

}  // namespace

std::string comparison_text(const StudyResult& result) {
  std::string s = fmt::format("{:<14}{:>15}{:>10}{:>12}{:>10}\n", "method", "test accuracy", "macro-F1", "best epoch", "seconds");
  for (const MethodResult& m : result.methods) {
    s += fmt::format("{:<14}{:>15}{:>10.3f}{:>12}{:>10.0f}\n", method_label(m), percent(m.test.accuracy),
                     m.test.macro_f1, m.best_epoch, m.seconds);
  }
  if (result.gan_run.empty()) return s + "no GAN trained (no method uses generated images)\n";
  s += fmt::format("GAN-test {} (Gs) / {} (G), chance {}; GAN-train {}; SWD x1e3 {:.1f} (Gs) / {:.1f} (G), real floor {:.1f}\n",
                   percent(result.gan_test_ema), percent(result.gan_test_raw),
                   percent(1.0 / static_cast<double>(result.class_names.size())), percent(result.gan_train_accuracy),
                   result.swd_ema, result.swd_raw, result.swd_real_floor);
  return s;
}

std::string study_summary_json(const StudyResult& r, const data::Dataset& test, double total_seconds) {
  const std::vector<std::size_t> test_counts = test.class_counts();
  nlohmann::json methods = nlohmann::json::array();
  for (const MethodResult& m : r.methods) {
    methods.push_back({{"method", method_name(m.method)},
                       {"real_share", m.real_share},
                       {"accuracy", m.test.accuracy},
                       {"macro_f1", m.test.macro_f1},
                       {"best_epoch", m.best_epoch},
                       {"seconds", m.seconds}});
  }
  const nlohmann::json j = {
      {"classes", r.class_names},
      {"train_images", std::accumulate(r.real_counts.begin(), r.real_counts.end(), std::size_t{0})},
      {"generated_images", std::accumulate(r.generated_counts.begin(), r.generated_counts.end(), std::size_t{0})},
      {"test_images_per_class", test_counts.empty() ? 0 : *std::min_element(test_counts.begin(), test_counts.end())},
      {"gan_kimg", r.gan_kimg},
      {"sample_weights", nets::gan_weights_name(r.sample_weights)},
      {"gan_test_accuracy", number_or_null(r.gan_test_accuracy)},
      {"gan_test_accuracy_ema", number_or_null(r.gan_test_ema)},
      {"gan_test_accuracy_raw", number_or_null(r.gan_test_raw)},
      {"gan_test_per_class", r.gan_test_per_class},
      {"gan_train_accuracy", number_or_null(r.gan_train_accuracy)},
      {"synth_only_accuracy", number_or_null(r.synth_only_accuracy)},
      {"swd", {{"ema", number_or_null(r.swd_ema)}, {"raw", number_or_null(r.swd_raw)},
               {"real_floor", number_or_null(r.swd_real_floor)}}},
      {"methods", methods},
      {"seconds", {{"gan", r.gan_seconds}, {"gan_train", r.gan_train_seconds}, {"total", total_seconds}}},
  };
  return j.dump(2) + "\n";
}

std::filesystem::path write_study_report(const StudyResult& result, const data::Dataset& train,
                                         const data::Dataset& validation, const data::Dataset& test,
                                         const std::filesystem::path& out, const ReportContext& context) {
  write_text_file_atomic(out / "summary.json", study_summary_json(result, test, context.total_seconds));
  report::HtmlReport page(context.title);
  page.heading(context.title, 1);
  const std::size_t generated =
      std::accumulate(result.generated_counts.begin(), result.generated_counts.end(), std::size_t{0});
  page.paragraph(fmt::format("{} classes, {} real training images, {} generated. Total time {:.0f} s.",
                             result.class_names.size(), train.size(), generated, context.total_seconds));
  if (!context.settings.empty()) {
    std::vector<std::vector<std::string>> settings;
    for (const auto& [name, value] : context.settings) settings.push_back({name, value});
    page.table({"setting", "value"}, settings);
  }
  page.heading("Comparison on the test split");
  std::vector<std::vector<std::string>> rows;
  for (const MethodResult& m : result.methods) {
    rows.push_back({method_label(m), percent(m.test.accuracy), fmt::format("{:.3f}", m.test.macro_f1),
                    std::to_string(m.best_epoch), fmt::format("{:.0f}", m.seconds)});
  }
  page.table({"method", "test accuracy", "macro-F1", "best epoch", "seconds"}, rows);
  page.paragraph("real: real images only. real+gan: generated images mixed into every batch. gan-pretrain: trained on "
                 "generated images only, then fine-tuned on the real ones (the offline analogue of transfer learning).");
  data_section(page, result, train, validation, test, out, context);
  if (!result.gan_run.empty()) gan_section(page, result, out);
  classifier_section(page, result, out);
  const std::filesystem::path path = out / "report.html";
  page.write(path);
  return path;
}

}  // namespace gg::study

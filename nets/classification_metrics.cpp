#include "nets/classification_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "engine/posix_file.h"

namespace gg::nets {

namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  write_text_file_atomic(path, text);
}

void check_names(const ClassificationReport& report, const std::vector<std::string>& class_names, const std::filesystem::path& path) {
  if (class_names.size() != report.per_class.size()) {
    throw std::invalid_argument(path.string() + ": " + std::to_string(class_names.size()) + " class names for " +
                                std::to_string(report.per_class.size()) + " classes");
  }
}

// Whether class k takes part in the macro average: it has support or predictions.
bool counted(const ClassificationReport& r, std::size_t k) {
  std::int64_t predicted = 0;
  for (const auto& row : r.confusion) predicted += row[k];
  return r.per_class[k].support > 0 || predicted > 0;
}

}  // namespace

std::vector<ConfusedPair> ClassificationReport::most_confused(int k) const {
  std::vector<ConfusedPair> pairs;
  for (std::size_t t = 0; t < confusion.size(); ++t)
    for (std::size_t p = 0; p < confusion[t].size(); ++p)
      if (t != p && confusion[t][p] > 0) pairs.push_back({static_cast<int>(t), static_cast<int>(p), confusion[t][p]});
  // Stable: pairs are listed in (truth, predicted) order, so equal counts keep it.
  std::stable_sort(pairs.begin(), pairs.end(), [](const ConfusedPair& a, const ConfusedPair& b) { return a.count > b.count; });
  if (pairs.size() > static_cast<std::size_t>(std::max(k, 0))) pairs.resize(static_cast<std::size_t>(std::max(k, 0)));
  return pairs;
}

ClassificationReport evaluate_predictions(const std::vector<int>& truth, const std::vector<int>& predicted, int num_classes) {
  if (num_classes < 1) throw std::invalid_argument("evaluate_predictions: num_classes must be positive");
  if (truth.size() != predicted.size()) {
    throw std::invalid_argument("evaluate_predictions: " + std::to_string(truth.size()) + " true labels but " +
                                std::to_string(predicted.size()) + " predictions");
  }
  const auto k = static_cast<std::size_t>(num_classes);
  ClassificationReport r;
  r.confusion.assign(k, std::vector<std::int64_t>(k, 0));
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || truth[i] >= num_classes || predicted[i] < 0 || predicted[i] >= num_classes) {
      throw std::invalid_argument(fmt::format("evaluate_predictions: sample {} has label {} / prediction {}, outside [0, {})",
                                              i, truth[i], predicted[i], num_classes));
    }
    ++r.confusion[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(predicted[i])];
  }
  r.per_class.resize(k);
  std::int64_t correct = 0;
  for (std::size_t c = 0; c < k; ++c) {
    std::int64_t support = 0, predictions = 0;
    for (std::size_t j = 0; j < k; ++j) {
      support += r.confusion[c][j];
      predictions += r.confusion[j][c];
    }
    const std::int64_t tp = r.confusion[c][c];
    correct += tp;
    ClassMetrics& m = r.per_class[c];
    m.support = support;
    m.precision = predictions > 0 ? static_cast<double>(tp) / static_cast<double>(predictions) : 0.0;
    m.recall = support > 0 ? static_cast<double>(tp) / static_cast<double>(support) : 0.0;
    m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0.0;
  }
  r.accuracy = truth.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(truth.size());
  double f1_sum = 0;
  int classes_counted = 0;
  for (std::size_t c = 0; c < k; ++c) {
    if (!counted(r, c)) continue;
    f1_sum += r.per_class[c].f1;
    ++classes_counted;
  }
  r.macro_f1 = classes_counted > 0 ? f1_sum / classes_counted : 0.0;
  return r;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void write_confusion_csv(const std::filesystem::path& path, const ClassificationReport& report,
                         const std::vector<std::string>& class_names) {
  check_names(report, class_names, path);
  std::string text = csv_field("truth \\ predicted");
  for (const std::string& name : class_names) text += "," + csv_field(name);
  text += "\n";
  for (std::size_t t = 0; t < class_names.size(); ++t) {
    text += csv_field(class_names[t]);
    for (std::int64_t count : report.confusion[t]) text += "," + std::to_string(count);
    text += "\n";
  }
  write_text(path, text);
}

void write_per_class_csv(const std::filesystem::path& path, const ClassificationReport& report,
                         const std::vector<std::string>& class_names) {
  check_names(report, class_names, path);
  std::string text = "class,precision,recall,f1,support\n";
  double precision = 0, recall = 0;
  int classes_counted = 0;
  std::int64_t support = 0;
  for (std::size_t c = 0; c < class_names.size(); ++c) {
    const ClassMetrics& m = report.per_class[c];
    text += fmt::format("{},{:.6f},{:.6f},{:.6f},{}\n", csv_field(class_names[c]), m.precision, m.recall, m.f1, m.support);
    support += m.support;
    if (!counted(report, c)) continue;
    precision += m.precision;
    recall += m.recall;
    ++classes_counted;
  }
  const double n = std::max(classes_counted, 1);
  text += fmt::format("macro,{:.6f},{:.6f},{:.6f},{}\n", precision / n, recall / n, report.macro_f1, support);
  write_text(path, text);
}

}  // namespace gg::nets

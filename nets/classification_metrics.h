#pragma once
// Classification metrics from true and predicted labels: accuracy, per-class precision, recall, F1
// and support, macro-F1, the confusion matrix and its most confused pairs, and CSV files of them.
//
// Conventions (scikit-learn's with zero_division=0): precision = tp / predicted, recall = tp /
// support, each 0 when its denominator is 0, F1 = 2 p r / (p + r) or 0. Macro-F1 is the mean F1 over
// the classes that have support or predictions: a class never seen and never predicted says
// nothing about the classifier and is left out; a class with support that is never predicted, or
// predicted with no support, counts with F1 0.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gg::nets {

struct ClassMetrics {
  double precision = 0, recall = 0, f1 = 0;
  std::int64_t support = 0;
};

struct ConfusedPair {
  int truth, predicted;
  std::int64_t count;
};

struct ClassificationReport {
  std::vector<std::vector<std::int64_t>> confusion;  // [truth][predicted]
  double accuracy = 0, macro_f1 = 0;
  std::vector<ClassMetrics> per_class;
  // Off-diagonal cells with a count, largest first, ties by (truth, predicted); at most k.
  std::vector<ConfusedPair> most_confused(int k) const;
};

// Throws std::invalid_argument when the lists differ in length or a label is outside [0, num_classes).
ClassificationReport evaluate_predictions(const std::vector<int>& truth, const std::vector<int>& predicted,
                                          int num_classes);

// confusion.csv: a header "truth \ predicted,<class>,...", then one row per true class.
void write_confusion_csv(const std::filesystem::path& path, const ClassificationReport& report,
                         const std::vector<std::string>& class_names);
// per_class.csv: class,precision,recall,f1,support, one row per class, then a "macro" row (mean of
// precision, recall and F1 over the classes macro-F1 counts, total support).
void write_per_class_csv(const std::filesystem::path& path, const ClassificationReport& report,
                         const std::vector<std::string>& class_names);

// A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);

}  // namespace gg::nets

// Classification metrics against hand-computed cases.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "nets/classification_metrics.h"
#include "tests/temp_dir.h"
#include "tests/test_classifier_helpers.h"

using namespace gg;
using doctest::Approx;
using gg::testing::read_text;

namespace {

// 5 classes: 0 and 1 ordinary, 2 has support but is never predicted, 3 is predicted but has no
// support, 4 has neither.
//   truth      0 0 0 1 1 2 2 2
//   predicted  0 0 1 1 3 0 1 1
nets::ClassificationReport hand_case() {
  return nets::evaluate_predictions({0, 0, 0, 1, 1, 2, 2, 2}, {0, 0, 1, 1, 3, 0, 1, 1}, 5);
}

}  // namespace

TEST_CASE("classifier metrics: confusion matrix, accuracy and per-class scores by hand") {
  const nets::ClassificationReport r = hand_case();
  const std::vector<std::vector<std::int64_t>> expected{
      {2, 1, 0, 0, 0}, {0, 1, 0, 1, 0}, {1, 2, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}};
  CHECK(r.confusion == expected);
  CHECK(r.accuracy == Approx(3.0 / 8));
  // Class 0: 2 of 3 predictions right, 2 of 3 samples found.
  CHECK(r.per_class[0].precision == Approx(2.0 / 3));
  CHECK(r.per_class[0].recall == Approx(2.0 / 3));
  CHECK(r.per_class[0].f1 == Approx(2.0 / 3));
  CHECK(r.per_class[0].support == 3);
  // Class 1: 1 of 4 predictions, 1 of 2 samples: F1 = 2 (1/4)(1/2) / (3/4) = 1/3.
  CHECK(r.per_class[1].precision == Approx(0.25));
  CHECK(r.per_class[1].recall == Approx(0.5));
  CHECK(r.per_class[1].f1 == Approx(1.0 / 3));
  // Class 2 never predicted, class 3 no support: all zero, yet both count in macro-F1.
  CHECK(r.per_class[2].precision == 0);
  CHECK(r.per_class[2].recall == 0);
  CHECK(r.per_class[2].support == 3);
  CHECK(r.per_class[3].f1 == 0);
  CHECK(r.per_class[3].support == 0);
  // Class 4 (no support, no predictions) is left out: (2/3 + 1/3 + 0 + 0) / 4.
  CHECK(r.macro_f1 == Approx(0.25));
}

TEST_CASE("classifier metrics: most confused pairs, largest first, ties by truth then prediction") {
  const nets::ClassificationReport r = hand_case();
  const std::vector<nets::ConfusedPair> pairs = r.most_confused(3);
  REQUIRE(pairs.size() == 3);
  CHECK((pairs[0].truth == 2 && pairs[0].predicted == 1 && pairs[0].count == 2));
  CHECK((pairs[1].truth == 0 && pairs[1].predicted == 1 && pairs[1].count == 1));
  CHECK((pairs[2].truth == 1 && pairs[2].predicted == 3 && pairs[2].count == 1));
  CHECK(r.most_confused(100).size() == 4);
  CHECK(r.most_confused(0).empty());
}

TEST_CASE("classifier metrics: perfect, empty and invalid inputs") {
  const nets::ClassificationReport perfect = nets::evaluate_predictions({0, 1, 1, 2}, {0, 1, 1, 2}, 4);
  CHECK(perfect.accuracy == 1.0);
  CHECK(perfect.macro_f1 == 1.0);  // class 3 (nothing) is left out rather than counted as 0
  CHECK(perfect.most_confused(5).empty());
  const nets::ClassificationReport empty = nets::evaluate_predictions({}, {}, 2);
  CHECK(empty.accuracy == 0);
  CHECK(empty.macro_f1 == 0);
  CHECK_THROWS_AS(nets::evaluate_predictions({0, 1}, {0}, 2), std::invalid_argument);
  CHECK_THROWS_WITH_AS(nets::evaluate_predictions({0, 2}, {0, 1}, 2), doctest::Contains("sample 1"), std::invalid_argument);
  CHECK_THROWS_AS(nets::evaluate_predictions({0}, {-1}, 2), std::invalid_argument);
}

TEST_CASE("classifier metrics: confusion and per-class CSV files") {
  const testing::TempDir tmp("gg_classifier_metrics_csv");
  const std::filesystem::path& dir = tmp.path();
  const nets::ClassificationReport r = hand_case();
  const std::vector<std::string> names{"Blip", "Koi Fish", "Low,Frequency", "Whistle", "None"};
  nets::write_confusion_csv(dir / "confusion.csv", r, names);
  CHECK(read_text(dir / "confusion.csv") ==
        "truth \\ predicted,Blip,Koi Fish,\"Low,Frequency\",Whistle,None\n"
        "Blip,2,1,0,0,0\n"
        "Koi Fish,0,1,0,1,0\n"
        "\"Low,Frequency\",1,2,0,0,0\n"
        "Whistle,0,0,0,0,0\n"
        "None,0,0,0,0,0\n");
  nets::write_per_class_csv(dir / "per_class.csv", r, names);
  CHECK(read_text(dir / "per_class.csv") ==
        "class,precision,recall,f1,support\n"
        "Blip,0.666667,0.666667,0.666667,3\n"
        "Koi Fish,0.250000,0.500000,0.333333,2\n"
        "\"Low,Frequency\",0.000000,0.000000,0.000000,3\n"
        "Whistle,0.000000,0.000000,0.000000,0\n"
        "None,0.000000,0.000000,0.000000,0\n"
        "macro,0.229167,0.291667,0.250000,8\n");
  CHECK_THROWS_WITH_AS(nets::write_confusion_csv(dir / "bad.csv", r, {"A"}), doctest::Contains("bad.csv"), std::invalid_argument);
  CHECK(nets::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
}

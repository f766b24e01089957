// The data-parallel path over real MPI ranks: ctest runs this program under `mpirun -np 2` (see
// tests/CMakeLists.txt). Every rank runs every test case in the same order, so the collectives
// inside them meet; only CHECKs are used (a REQUIRE leaving one rank's test case early would leave
// the other waiting). One OpenMP thread per rank, so a job of N ranks is bit-reproducible and the
// one-process references below are too.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <fmt/core.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "distributed/mpi_communicator.h"
#include "kernels/cuda/cuda_runtime_info.h"
#if GG_WITH_NCCL
#include "distributed/nccl_communicator.h"
#endif
#include "nets/classifier_trainer.h"
#include "nets/progan_trainer.h"
#include "study/experiment.h"
#include "tests/study_test_helpers.h"
#include "tests/temp_dir.h"

using namespace gg;

namespace {

distributed::MpiCommunicator* world = nullptr;

#if GG_WITH_NCCL
constexpr bool kWithNccl = true;
#else
constexpr bool kWithNccl = false;
#endif

// The largest |a - b| over the tensors of two maps with the same names and shapes.
double max_difference(const TensorMap& a, const TensorMap& b) {
  double worst = 0;
  for (const auto& [name, t] : a) {
    const std::vector<double> x = t.to_vector<double>(), y = b.at(name).to_vector<double>();
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
  }
  return worst;
}

// Every tensor's bits as text, so ranks and runs compare exactly.
std::string bits(const TensorMap& tensors) {
  std::string out;
  for (const auto& [name, t] : tensors) {
    out += name;
    for (double v : t.to_vector<double>()) out += fmt::format(" {:a}", v);
    out += "\n";
  }
  return out;
}

// Whether every rank holds the same text as rank 0 (a collective).
bool same_on_every_rank(const std::string& text) {
  const bool same = world->broadcast(text, 0) == text;
  std::vector<double> mismatches{same ? 0.0 : 1.0};
  world->all_reduce(mismatches, ReduceOp::sum);
  return mismatches[0] == 0;
}

// A tiny conditional run on the bars task: 8x8, rounds of 2 x 8 images, minibatch-stddev groups
// of 4 (so 2 ranks hold 4 images each: one column of every group).
nets::ProganTrainConfig tiny_gan(bool augment, bool conditional = true) {
  nets::ProganTrainConfig c;
  c.net = {.resolution = 8, .channels = 1, .fmap_base = 64, .fmap_max = 16, .num_classes = 4};
  c.schedule.stabilize_kimg = 0.064;
  c.schedule.fade_kimg = 0.064;
  c.schedule.set_constant_batch(8);
  c.schedule.minibatch_repeats = 2;
  c.seed = 7;
  c.class_names = testing::bar_classes();
  c.grid_count = 4;
  if (augment) c.augment.probability = 0.5;
  if (!conditional) {
    c.net.num_classes = 0;
    c.class_names = {"Bars"};
  }
  return c;
}

struct GanRun {
  std::vector<nets::IterationLosses> rounds;
  TensorMap tensors;
};

GanRun train_gan(const nets::ProganTrainConfig& config, const data::Dataset& data, Communicator& communicator) {
  nets::ProganTrainer trainer(config, data, communicator);
  GanRun run;
  while (!trainer.finished()) run.rounds.push_back(trainer.train_round().mean);
  run.tensors = trainer.tensors();
  return run;
}

}  // namespace

TEST_CASE("mpi: all-reduce, broadcast and gather over the ranks") {
  const int rank = world->rank(), n = world->size();
  CHECK(n == 2);
  const Tensor sum = Tensor::from_vector(std::vector<float>{static_cast<float>(rank + 1), 10.0f * static_cast<float>(rank + 1)}, {2});
  world->all_reduce(std::span<const Tensor>(&sum, 1), ReduceOp::sum);
  CHECK(sum.to_vector<float>() == std::vector<float>{3.0f, 30.0f});
  const Tensor mean = Tensor::from_vector(std::vector<double>{static_cast<double>(rank)}, {1});
  world->all_reduce(std::span<const Tensor>(&mean, 1), ReduceOp::mean);
  CHECK(mean.item() == 0.5);
  std::vector<double> values{static_cast<double>(rank), -static_cast<double>(rank)};
  world->all_reduce(values, ReduceOp::max);
  CHECK(values == std::vector<double>{1.0, 0.0});

  const Tensor from_root = Tensor::from_vector(std::vector<float>{static_cast<float>(rank + 5)}, {1});
  world->broadcast(std::span<const Tensor>(&from_root, 1), 0);
  CHECK(from_root.item() == 5.0);
  CHECK(world->broadcast(rank == 0 ? std::string("from rank 0") : std::string(), 0) == "from rank 0");
  const std::vector<std::string> gathered = world->gather(fmt::format("rank {}", rank), 0);
  if (rank == 0) {
    CHECK(gathered == std::vector<std::string>{"rank 0", "rank 1"});
  } else {
    CHECK(gathered.empty());
  }
  world->barrier();
}

TEST_CASE("mpi: gradients are averaged over the ranks in one bucket") {
  const int rank = world->rank();
  Tensor a = Tensor::from_vector(std::vector<float>{1, 2}, {2}).set_requires_grad();
  Tensor b = Tensor::from_vector(std::vector<float>{3}, {1}).set_requires_grad();
  Tensor unused = Tensor::from_vector(std::vector<float>{4}, {1}).set_requires_grad();
  a.set_grad(Tensor::from_vector(std::vector<float>{static_cast<float>(rank), 2.0f * static_cast<float>(rank)}, {2}));
  b.set_grad(Tensor::from_vector(std::vector<float>{10.0f + static_cast<float>(rank)}, {1}));
  GradientAverager(*world, {a, b, unused}).average();
  CHECK(a.grad().to_vector<float>() == std::vector<float>{0.5f, 1.0f});
  CHECK(b.grad().to_vector<float>() == std::vector<float>{10.5f});
  CHECK_FALSE(unused.grad().defined());  // no gradient on any rank: none after
}

TEST_CASE("mpi: ProGAN on 2 ranks trains as one process with the same global batch, bit-identically each time") {
  // Conditional without and with augmentation, and unconditional (the bars' labels unused).
  const data::Dataset data = testing::bars_dataset(40, 8, 3);
  for (auto [augment, conditional] : {std::pair{false, true}, {true, true}, {true, false}}) {
    CAPTURE(augment);
    CAPTURE(conditional);
    const nets::ProganTrainConfig config = tiny_gan(augment, conditional);
    const GanRun parallel = train_gan(config, data, *world);
    const GanRun again = train_gan(config, data, *world);
    const GanRun alone = train_gan(config, data, single_process());

    CHECK(bits(parallel.tensors) == bits(again.tensors));
    CHECK(same_on_every_rank(bits(parallel.tensors)));  // the replicas stay equal
    CHECK(parallel.rounds.size() == alone.rounds.size());
    double worst_loss = 0;
    for (std::size_t i = 0; i < std::min(parallel.rounds.size(), alone.rounds.size()); ++i) {
      const nets::IterationLosses &p = parallel.rounds[i], &q = alone.rounds[i];
      for (auto [x, y] : {std::pair{p.d_loss, q.d_loss}, {p.g_loss, q.g_loss}, {p.gradient_penalty, q.gradient_penalty},
                          {p.d_label_loss, q.d_label_loss}, {p.real_score, q.real_score}})
        worst_loss = std::max(worst_loss, std::abs(x - y) / std::max(1.0, std::abs(y)));
    }
    CHECK(worst_loss < 1e-4);  // only the order of the sums differs
    CHECK(max_difference(parallel.tensors, alone.tensors) < 1e-4);
  }
}

TEST_CASE("mpi: a ProGAN run on 2 ranks saved and restored goes on bit-identically") {
  const data::Dataset data = testing::bars_dataset(40, 8, 3);
  const nets::ProganTrainConfig config = tiny_gan(true);
  const GanRun whole = train_gan(config, data, *world);
  nets::ProganTrainer first(config, data, *world);
  for (int i = 0; i < 5; ++i) first.train_round();
  nets::ProganTrainer resumed(config, data, *world);
  resumed.restore(first.tensors(), first.state());
  while (!resumed.finished()) resumed.train_round();
  CHECK(bits(resumed.tensors()) == bits(whole.tensors));
}

TEST_CASE("mpi: a ProGAN batch that does not split into whole minibatch-stddev groups per rank is refused") {
  nets::ProganTrainConfig config = tiny_gan(false);
  config.schedule.set_constant_batch(4);  // one group of 4: 2 ranks would each hold half a group
  CHECK_THROWS_WITH_AS(nets::ProganTrainer(config, testing::bars_dataset(40, 8, 3), *world),
                       doctest::Contains("must be a multiple of 8"), std::invalid_argument);
}

TEST_CASE("mpi: the classifier on 2 ranks is reproducible, its replicas and batch-norm statistics equal") {
  const data::Dataset train = testing::bars_dataset(64, 16, 1), validation = testing::bars_dataset(32, 16, 2);
  nets::ClassifierTrainOptions o;
  o.net = testing::small_net();
  o.epochs = 2;
  o.batch = 16;
  o.batch_norm_images = 40;  // 3 batches: the ranks take 1 and 2
  o.communicator = world;
  auto run = [&] {
    const nets::ClassifierTrainResult r = nets::train_classifier(train, validation, o);
    std::string text;
    for (const nets::EpochReport& e : r.history)
      text += fmt::format("{:a} {:a} {:a} {:a}\n", e.train_loss, e.train_accuracy, e.validation_loss, e.validation_accuracy);
    return text + bits(r.model->state_dict());  // the weights and the running statistics
  };
  const std::string first = run();
  CHECK(first == run());
  CHECK(same_on_every_rank(first));

  o.batch = 15;
  CHECK_THROWS_WITH_AS(nets::train_classifier(train, validation, o), doctest::Contains("does not split over 2 ranks"),
                       std::invalid_argument);
}

TEST_CASE("mpi: an experiment shared out over 2 ranks writes the summaries of one process") {
  const data::Splits splits = testing::bar_splits();
  const std::filesystem::path base =
      world->broadcast((std::filesystem::temp_directory_path() / fmt::format("gg_mpi_experiment_{}", ::getpid())).string(), 0);
  const study::StudySettings settings = testing::tiny_settings();
  auto options = [&](const std::filesystem::path& out, Communicator* communicator) {
    study::ExperimentOptions o;
    o.sizes = {2, 4};
    o.seeds = 2;
    o.study = settings.to_options(out, {});
    o.study.write_generated_pngs = false;
    o.out = out;
    o.communicator = communicator;
    return o;
  };
  const std::vector<study::ExperimentRun> shared = study::run_experiment(splits.train, splits.validation, splits.test,
                                                                         options(base / "ranks", world));
  if (world->is_root()) {
    CHECK(shared.size() == 2 * 2 * 3);
    study::run_experiment(splits.train, splits.validation, splits.test, options(base / "alone", nullptr));
    for (const char* file : {"summary.json", "summary.csv", "summary.md"}) {
      CAPTURE(file);
      CHECK(testing::read_text(base / "ranks" / file) == testing::read_text(base / "alone" / file));
    }
    CHECK_FALSE(std::filesystem::exists(base / "ranks" / "runs.rank-1.csv"));  // gathered into runs.csv
    std::filesystem::remove_all(base);
  } else {
    CHECK(shared.size() == 2 * 3);  // this rank's two studies
  }
  world->barrier();
}

TEST_CASE("nccl: CUDA tensors all-reduced and broadcast over 2 ranks, one GPU each") {
  // Every rank needs a GPU of its own: skipped (on every rank alike) where a host has fewer.
  std::vector<double> fewest{-static_cast<double>(cuda_runtime_info().device_count)};
  world->all_reduce(fewest, ReduceOp::max);
  const bool enough = -fewest[0] >= world->local_size() && kWithNccl;
  if (!enough) {
    std::puts("GG_SKIP_NO_CUDA: NCCL needs a build with NCCL and a GPU per rank");
    return;
  }
#if GG_WITH_NCCL
  const Device gpu = Device::cuda(world->local_rank());
  distributed::NcclCommunicator nccl(std::make_unique<distributed::MpiCommunicator>(), gpu);
  const int rank = nccl.rank();
  const Tensor t = Tensor::from_vector(std::vector<float>{static_cast<float>(rank), 2.0f * static_cast<float>(rank + 1)}, {2}).to(gpu);
  nccl.all_reduce(std::span<const Tensor>(&t, 1), ReduceOp::mean);
  CHECK(t.to_vector<float>() == std::vector<float>{0.5f, 3.0f});
  const Tensor from_root = Tensor::from_vector(std::vector<float>{static_cast<float>(rank + 5)}, {1}).to(gpu);
  nccl.broadcast(std::span<const Tensor>(&from_root, 1), 0);
  CHECK(from_root.item() == 5.0);
  Tensor p = Tensor::from_vector(std::vector<float>{1, 2}, {2}).to(gpu).set_requires_grad();
  p.set_grad(Tensor::from_vector(std::vector<float>{static_cast<float>(rank), 4}, {2}).to(gpu));
  GradientAverager(nccl, {p}).average();
  CHECK(p.grad().to_vector<float>() == std::vector<float>{0.5f, 4.0f});
#endif
}

int main(int argc, char** argv) {
  distributed::MpiCommunicator communicator;
  world = &communicator;
  doctest::Context context(argc, argv);
  return context.run();
}

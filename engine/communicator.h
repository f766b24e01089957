#pragma once
// Collective communication between the processes ("ranks") of one data-parallel job. The engine
// knows only this interface; distributed/ implements it over MPI (CPU tensors, host values) and
// NCCL (CUDA tensors), and a run of one process uses SingleProcess, which needs neither.
//
// Every call is collective: each rank makes the same calls in the same order, with tensors of the
// same shapes and dtypes, or the job hangs. For a fixed rank count the results are deterministic
// and identical on every rank, so ranks that start identical stay identical.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace gg {

enum class ReduceOp { sum, mean, max };

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // "one process", "MPI, 2 ranks", ... for progress lines.
  virtual std::string describe() const = 0;

  // Reduces each tensor over the ranks, in place, in the order given.
  virtual void all_reduce(std::span<const Tensor> tensors, ReduceOp op) = 0;
  // Host values, in place.
  virtual void all_reduce(std::span<double> values, ReduceOp op) = 0;
  // Every rank's tensors become root's.
  virtual void broadcast(std::span<const Tensor> tensors, int root) = 0;
  // Root's text on every rank.
  virtual std::string broadcast(const std::string& text, int root) = 0;
  // Each rank's text, in rank order, on root (empty elsewhere).
  virtual std::vector<std::string> gather(const std::string& text, int root) = 0;
  virtual void barrier() = 0;
  // Ends every rank of the job with `code` (after an error on one rank, which would leave the
  // others waiting in a collective for ever). A single process exits.
  [[noreturn]] virtual void abort(int code) = 0;

  bool is_root() const { return rank() == 0; }
};

// The communicator of a job of one process: every collective is the identity.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string describe() const override { return "one process"; }
  void all_reduce(std::span<const Tensor>, ReduceOp) override {}
  void all_reduce(std::span<double>, ReduceOp) override {}
  void broadcast(std::span<const Tensor>, int) override {}
  std::string broadcast(const std::string& text, int) override { return text; }
  std::vector<std::string> gather(const std::string& text, int) override { return {text}; }
  void barrier() override {}
  [[noreturn]] void abort(int code) override;
};

// The process-wide single-process communicator (the default of every trainer).
Communicator& single_process();

// Averages the gradients of `parameters` over the ranks with one all-reduce: the defined
// gradients, in parameter order, are packed into one flat buffer per dtype and device (a bucket),
// reduced, and unpacked. Every rank's graph reaches the same parameters, so the set of defined
// gradients agrees. With one rank it does nothing. Allocates its buckets once and reuses them.
class GradientAverager {
 public:
  GradientAverager(Communicator& communicator, std::vector<Tensor> parameters);
  void average();

 private:
  Communicator& communicator_;
  std::vector<Tensor> parameters_;
  Tensor bucket_;  // (elements of the defined gradients,) f32; reallocated when that set changes (ProGAN's growth)
};

// Root's values of `tensors` (e.g. a model's parameters) on every rank, so replicas start equal.
void broadcast_tensors(Communicator& communicator, const TensorMap& tensors, int root = 0);

}  // namespace gg

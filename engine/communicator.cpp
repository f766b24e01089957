#include "engine/communicator.h"

#include <cstdlib>
#include <stdexcept>

#include "engine/backend.h"

namespace gg {

void SingleProcess::abort(int code) { std::exit(code); }

Communicator& single_process() {
  static SingleProcess instance;
  return instance;
}

GradientAverager::GradientAverager(Communicator& communicator, std::vector<Tensor> parameters)
    : communicator_(communicator), parameters_(std::move(parameters)) {}

void GradientAverager::average() {
  if (communicator_.size() == 1) return;
  std::vector<Tensor> grads;
  std::int64_t total = 0;
  for (const Tensor& p : parameters_) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    if (g.dtype() != DType::f32 || (!grads.empty() && g.device() != grads.front().device()))
      throw std::invalid_argument("GradientAverager: the gradients must all be f32 on one device");
    grads.push_back(g);
    total += g.numel();
  }
  if (grads.empty()) return;
  const Device device = grads.front().device();
  if (!bucket_.defined() || bucket_.numel() != total || bucket_.device() != device)
    bucket_ = Tensor::empty({total}, {DType::f32, device});
  Backend& backend = backend_for(device);
  auto* base = static_cast<char*>(bucket_.raw_data());
  std::size_t offset = 0;
  for (const Tensor& g : grads) {
    backend.copy(base + offset, g.raw_data(), g.nbytes());
    offset += g.nbytes();
  }
  communicator_.all_reduce(std::span<const Tensor>(&bucket_, 1), ReduceOp::mean);  // one collective per step
  const auto* reduced = static_cast<const char*>(bucket_.raw_data());
  offset = 0;
  for (const Tensor& g : grads) {
    backend.copy(g.raw_data(), reduced + offset, g.nbytes());
    offset += g.nbytes();
  }
}

void broadcast_tensors(Communicator& communicator, const TensorMap& tensors, int root) {
  if (communicator.size() == 1) return;
  std::vector<Tensor> list;
  for (const auto& [name, t] : tensors) list.push_back(t);  // std::map: the same order on every rank
  communicator.broadcast(list, root);
}

}  // namespace gg

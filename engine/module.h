#pragma once
// Module: a container of named parameters, buffers and sub-modules, so networks are thin
// compositions of ops whose state can be listed, saved and restored by name.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/tensor.h"

namespace gg {

class Module {
 public:
  virtual ~Module() = default;

  // Parameters of this module and its children, as "child.sub.name", in registration order.
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;
  std::vector<Tensor> parameters() const;
  // Parameters and buffers (e.g. batch-norm running statistics): everything a checkpoint needs.
  TensorMap state_dict() const;
  // Copies values from `state` into this module's tensors (names, shapes and dtypes must match).
  void load_state_dict(const TensorMap& state);
  std::int64_t parameter_count() const;

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad() const;

 protected:
  Tensor register_parameter(std::string name, Tensor value);
  Tensor register_buffer(std::string name, Tensor value);
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> child) {
    children_.emplace_back(std::move(name), child);
    return child;
  }

 private:
  void collect(const std::string& prefix, bool with_buffers, std::vector<std::pair<std::string, Tensor>>& out) const;

  bool training_ = true;
  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

// Sets eval mode and restores the previous mode when it goes out of scope.
class EvalMode {
 public:
  explicit EvalMode(Module& m) : module_(m), was_training_(m.is_training()) { m.eval(); }
  ~EvalMode() { module_.train(was_training_); }
  EvalMode(const EvalMode&) = delete;
  EvalMode& operator=(const EvalMode&) = delete;

 private:
  Module& module_;
  bool was_training_;
};

}  // namespace gg

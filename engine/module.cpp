#include "engine/module.h"

#include <stdexcept>

namespace gg {

void Module::collect(const std::string& prefix, bool with_buffers,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [name, t] : parameters_) out.emplace_back(prefix + name, t);
  if (with_buffers)
    for (const auto& [name, t] : buffers_) out.emplace_back(prefix + name, t);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", with_buffers, out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", false, out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

TensorMap Module::state_dict() const {
  std::vector<std::pair<std::string, Tensor>> all;
  collect("", true, all);
  return TensorMap(all.begin(), all.end());
}

void Module::load_state_dict(const TensorMap& state) {
  const TensorMap mine = state_dict();
  for (const auto& [name, t] : mine) {
    auto it = state.find(name);
    if (it == state.end()) throw std::invalid_argument("load_state_dict: missing tensor '" + name + "'");
    if (it->second.shape() != t.shape() || it->second.dtype() != t.dtype())
      throw std::invalid_argument("load_state_dict: tensor '" + name + "' is " + shape_str(it->second.shape()) + " " +
                                  dtype_name(it->second.dtype()) + ", expected " + shape_str(t.shape()) + " " +
                                  dtype_name(t.dtype()));
    t.assign(it->second);
  }
  for (const auto& [name, t] : state)
    if (!mine.count(name)) throw std::invalid_argument("load_state_dict: unexpected tensor '" + name + "'");
}

std::int64_t Module::parameter_count() const {
  std::int64_t n = 0;
  for (const Tensor& t : parameters()) n += t.numel();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() const {
  for (const Tensor& t : parameters()) t.zero_grad();
}

Tensor Module::register_parameter(std::string name, Tensor value) {
  value.set_requires_grad(true);
  parameters_.emplace_back(std::move(name), value);
  return value;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
  buffers_.emplace_back(std::move(name), value);
  return value;
}

}  // namespace gg

#pragma once
// Reverse-mode automatic differentiation with gradients of gradients.
//
// Every differentiable op records a Node holding what its backward needs. A node's backward is
// written with the same differentiable ops as the forward pass, so when a backward pass runs with
// create_graph those ops are recorded in turn and the gradient can itself be differentiated (the
// WGAN-GP gradient penalty needs exactly this). Without create_graph the backward runs under
// NoGrad and records nothing.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace gg {

// Whether ops record the graph. Thread-local, on by default.
struct GradMode {
  static bool enabled();
  static void set(bool on);
};

// RAII guard that turns recording off (inference, optimizer steps, backward without create_graph).
class NoGrad {
 public:
  NoGrad() : previous_(GradMode::enabled()) { GradMode::set(false); }
  ~NoGrad() { GradMode::set(previous_); }
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;

 private:
  bool previous_;
};

// Where a gradient goes: into another node, or into a leaf tensor's .grad.
struct Edge {
  std::shared_ptr<Node> node;
  std::shared_ptr<TensorImpl> leaf;
  bool valid() const { return node || leaf; }
};

// One recorded op with a single output. Subclasses are made by `record` below.
class Node : public std::enable_shared_from_this<Node> {
 public:
  using BackwardFn = std::function<std::vector<Tensor>(Node& self, const Tensor& grad_output)>;

  Node(std::string name, std::vector<Edge> inputs, BackwardFn fn);
  const std::string& name() const { return name_; }
  const std::vector<Edge>& inputs() const { return inputs_; }
  std::uint64_t sequence() const { return sequence_; }

  // Gradients for each input (undefined where an input needs none).
  std::vector<Tensor> apply(const Tensor& grad_output);
  // Drops the saved tensors once the graph is no longer needed.
  void release();
  bool released() const { return released_; }

  // Tensors the backward needs. Inputs are saved as they are; the op's own output is saved
  // without its grad_fn (to avoid a cycle) and re-linked to this node when it is read back.
  std::vector<Tensor> saved;
  Tensor saved_output();
  void save_output(const Tensor& out);
  // Whether input i needs a gradient in the current backward pass (lets a backward skip work).
  bool needs_grad(std::size_t i) const { return i < wanted_.size() ? wanted_[i] : inputs_[i].valid(); }
  void set_wanted(std::vector<bool> wanted) { wanted_ = std::move(wanted); }

 private:
  std::string name_;
  std::vector<Edge> inputs_;
  BackwardFn fn_;
  std::uint64_t sequence_;
  bool released_ = false;
  std::vector<bool> wanted_;
  Tensor output_data_;
};

// Whether an op on `inputs` is recorded: grad mode is on and a defined input requires grad. Ops use
// it to skip work only a backward needs (max pool's mask) or to take a faster path that a backward
// could not go through (evaluation-mode batch norm's kernel).
bool records_graph(const std::vector<Tensor>& inputs);

// Links `out` to a new node when records_graph(inputs); returns out.
// `save` lists the tensors the backward reads back from `self.saved`.
Tensor record(const char* name, Tensor out, const std::vector<Tensor>& inputs,
              Node::BackwardFn fn, std::vector<Tensor> save = {}, bool save_output = false);

struct GradOptions {
  bool create_graph = false;  // record the backward pass so gradients can be differentiated
  bool retain_graph = false;  // keep the graph for another backward (implied by create_graph)
  bool allow_unused = false;  // an input the outputs do not depend on gets an undefined grad
};

// Gradients of sum_i <grad_outputs[i], outputs[i]> with respect to `inputs`, returned rather than
// accumulated into .grad. An empty grad_outputs entry means ones (for one-element outputs).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, GradOptions options = {});

// Accumulates gradients of the outputs into every reachable leaf's .grad.
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              bool retain_graph = false, bool create_graph = false);

}  // namespace gg

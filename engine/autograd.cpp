#include "engine/autograd.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "engine/ops.h"

namespace gg {

namespace {
thread_local bool t_grad_enabled = true;
std::atomic<std::uint64_t> g_next_sequence{0};
}  // namespace

bool GradMode::enabled() { return t_grad_enabled; }
void GradMode::set(bool on) { t_grad_enabled = on; }

Node::Node(std::string name, std::vector<Edge> inputs, BackwardFn fn)
    : name_(std::move(name)), inputs_(std::move(inputs)), fn_(std::move(fn)), sequence_(g_next_sequence++) {}

std::vector<Tensor> Node::apply(const Tensor& grad_output) {
  if (released_)
    throw std::runtime_error("autograd: backward through '" + name_ +
                             "' a second time, but its saved tensors were freed; pass retain_graph "
                             "(or create_graph) to the first backward");
  return fn_(*this, grad_output);
}

void Node::release() {
  saved.clear();
  output_data_ = Tensor();
  released_ = true;
}

void Node::save_output(const Tensor& out) { output_data_ = out.detach(); }

Tensor Node::saved_output() {
  if (!GradMode::enabled()) return output_data_;
  auto impl = std::make_shared<TensorImpl>(*output_data_.impl());
  impl->grad_fn = shared_from_this();
  impl->requires_grad = true;
  impl->grad.reset();
  return Tensor(impl);
}

bool records_graph(const std::vector<Tensor>& inputs) {
  return GradMode::enabled() &&
         std::any_of(inputs.begin(), inputs.end(), [](const Tensor& t) { return t.defined() && t.requires_grad(); });
}

Tensor record(const char* name, Tensor out, const std::vector<Tensor>& inputs, Node::BackwardFn fn,
              std::vector<Tensor> save, bool save_output) {
  if (!records_graph(inputs)) return out;
  std::vector<Edge> edges(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (!t.defined() || !t.requires_grad()) continue;
    if (t.grad_fn())
      edges[i].node = t.grad_fn();
    else
      edges[i].leaf = t.impl();
  }
  auto node = std::make_shared<Node>(name, std::move(edges), std::move(fn));
  node->saved = std::move(save);
  if (save_output) node->save_output(out);
  out.impl()->grad_fn = std::move(node);
  out.impl()->requires_grad = true;
  return out;
}

namespace {

class GradModeScope {
 public:
  explicit GradModeScope(bool on) : previous_(GradMode::enabled()) { GradMode::set(on); }
  ~GradModeScope() { GradMode::set(previous_); }

 private:
  bool previous_;
};

Tensor accumulate(const Tensor& a, const Tensor& b) { return a.defined() ? add(a, b) : b; }

Tensor root_gradient(const Tensor& out, const std::vector<Tensor>& grad_outputs, std::size_t i) {
  if (!out.requires_grad())
    throw std::invalid_argument("autograd: output " + std::to_string(i) +
                                " does not require grad (no input it depends on requires grad)");
  if (i < grad_outputs.size() && grad_outputs[i].defined()) {
    if (grad_outputs[i].shape() != out.shape())
      throw std::invalid_argument("autograd: grad_output " + std::to_string(i) + " has shape " +
                                  shape_str(grad_outputs[i].shape()) + " but the output has " +
                                  shape_str(out.shape()));
    return grad_outputs[i];
  }
  if (out.numel() != 1)
    throw std::invalid_argument("autograd: output " + std::to_string(i) + " of shape " +
                                shape_str(out.shape()) +
                                " is not a scalar; pass its grad_output explicitly");
  return Tensor::ones(out.shape(), out.options());
}

// The shared engine. With `inputs` empty it accumulates into leaves' .grad; otherwise it returns
// the gradients of `inputs` and touches no .grad.
std::vector<Tensor> run_backward(const std::vector<Tensor>& outputs,
                                 const std::vector<Tensor>& grad_outputs,
                                 const std::vector<Tensor>& inputs, bool retain_graph,
                                 bool create_graph, bool allow_unused) {
  const bool accumulate_mode = inputs.empty();
  std::vector<Tensor> results(inputs.size());
  std::unordered_map<const TensorImpl*, std::size_t> leaf_index;
  std::unordered_map<const Node*, std::size_t> node_index;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad())
      throw std::invalid_argument("autograd: input " + std::to_string(i) + " does not require grad");
    if (inputs[i].grad_fn())
      node_index[inputs[i].grad_fn().get()] = i;
    else
      leaf_index[inputs[i].impl().get()] = i;
  }

  GradModeScope mode(create_graph);
  std::unordered_map<Node*, Tensor> buffers;
  std::vector<std::shared_ptr<Node>> roots;
  auto deliver_to_leaf = [&](const std::shared_ptr<TensorImpl>& leaf, const Tensor& g) {
    if (accumulate_mode) {
      Tensor owner(leaf);
      owner.set_grad(accumulate(owner.grad(), create_graph ? g : g.detach()));
    } else if (auto it = leaf_index.find(leaf.get()); it != leaf_index.end()) {
      results[it->second] = accumulate(results[it->second], g);
    }
  };
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    Tensor g = root_gradient(outputs[i], grad_outputs, i);
    if (outputs[i].grad_fn()) {
      Node* n = outputs[i].grad_fn().get();
      buffers[n] = accumulate(buffers[n], g);
      roots.push_back(outputs[i].grad_fn());
    } else {
      deliver_to_leaf(outputs[i].impl(), g);
    }
  }

  // Discover the graph. Sequence numbers are a topological order: a node is always created after
  // the nodes of its inputs, so processing by decreasing sequence sees every consumer first.
  std::vector<Node*> order;
  std::unordered_set<Node*> seen;
  std::vector<Node*> stack;
  for (auto& r : roots)
    if (seen.insert(r.get()).second) stack.push_back(r.get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    order.push_back(n);
    for (const Edge& e : n->inputs())
      if (e.node && seen.insert(e.node.get()).second) stack.push_back(e.node.get());
  }
  std::sort(order.begin(), order.end(),
            [](const Node* a, const Node* b) { return a->sequence() > b->sequence(); });

  // In grad() mode, only nodes on a path to a requested input are worth running.
  std::unordered_set<const Node*> useful;
  if (!accumulate_mode) {
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Node* n = *it;
      bool u = node_index.count(n) > 0;
      for (const Edge& e : n->inputs())
        u = u || (e.node && useful.count(e.node.get())) || (e.leaf && leaf_index.count(e.leaf.get()));
      if (u) useful.insert(n);
    }
  }
  auto edge_wanted = [&](const Edge& e) {
    if (accumulate_mode) return e.valid();
    return (e.node && useful.count(e.node.get()) > 0) || (e.leaf && leaf_index.count(e.leaf.get()) > 0);
  };

  for (Node* n : order) {
    auto buf = buffers.find(n);
    if (buf == buffers.end()) continue;
    Tensor g = std::move(buf->second);
    buffers.erase(buf);
    if (auto it = node_index.find(n); it != node_index.end())
      results[it->second] = accumulate(results[it->second], g);
    if (!accumulate_mode && !useful.count(n)) continue;

    std::vector<bool> wanted(n->inputs().size());
    for (std::size_t i = 0; i < wanted.size(); ++i) wanted[i] = edge_wanted(n->inputs()[i]);
    n->set_wanted(std::move(wanted));
    std::vector<Tensor> grads = n->apply(g);
    for (std::size_t i = 0; i < n->inputs().size() && i < grads.size(); ++i) {
      const Edge& e = n->inputs()[i];
      if (!grads[i].defined() || !edge_wanted(e)) continue;
      if (e.node)
        buffers[e.node.get()] = accumulate(buffers[e.node.get()], grads[i]);
      else
        deliver_to_leaf(e.leaf, grads[i]);
    }
    if (!retain_graph && !create_graph) n->release();
  }

  if (!allow_unused)
    for (std::size_t i = 0; i < results.size(); ++i)
      if (!results[i].defined())
        throw std::invalid_argument("autograd: input " + std::to_string(i) +
                                    " is not reachable from the outputs (pass allow_unused)");
  return results;
}

}  // namespace

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, GradOptions options) {
  if (inputs.empty()) throw std::invalid_argument("autograd: grad() needs at least one input");
  return run_backward(outputs, grad_outputs, inputs, options.retain_graph, options.create_graph,
                      options.allow_unused);
}

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
              bool retain_graph, bool create_graph) {
  run_backward(outputs, grad_outputs, {}, retain_graph, create_graph, true);
}

}  // namespace gg

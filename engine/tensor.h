#pragma once
// Tensor: a reference-counted handle to contiguous row-major (NCHW) storage with a shape, a
// dtype, a device and, when it takes part in autograd, a link to the node that produced it.
// Copying a Tensor copies the handle; reshape returns a view that shares the storage.
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "engine/dtype.h"

namespace gg {

using Shape = std::vector<std::int64_t>;

std::int64_t shape_numel(const Shape& s);
std::string shape_str(const Shape& s);

class Node;
class Generator;

// The same values as a storage's, in another layout that a backend keeps beside the plain one: the
// CPU convolutions keep their operands in oneDNN's channel-blocked layout (kernels/cpu/dnnl_twin.h),
// so that a chain of convolutions and the elementwise kernels between them need not reorder to NCHW
// and back at every layer.
class StorageTwin {
 public:
  virtual ~StorageTwin() = default;
  // Writes the values in the plain layout to `plain` (the storage's bytes).
  virtual void write_plain(void* plain) const = 0;
};

// Raw memory on one device, freed by the backend that allocated it, and possibly a twin.
//
// The twin is either a copy (the plain bytes are current too) or the only current copy, which a
// kernel that writes in the twin's layout leaves. Every plain access goes through settle(): it
// writes a sole twin back to the plain bytes and drops the twin, since the caller may write there,
// which would leave the twin stale. So the plain bytes stay the truth for all code but the few
// kernels that ask for the twin.
class Storage {
 public:
  Storage(std::size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  // The plain bytes, current.
  void* data() {
    if (has_twin_.load(std::memory_order_acquire)) settle();
    return data_;
  }
  std::size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

  // The twin, or null; reading it leaves the plain bytes as they are.
  std::shared_ptr<const StorageTwin> twin() const;
  // Attaches a twin: a copy of the plain bytes (plain_current) or, for a kernel that has just written
  // it, the only current values.
  void set_twin(std::shared_ptr<const StorageTwin> twin, bool plain_current);

 private:
  void settle();

  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  Device device_;
  std::atomic<bool> has_twin_{false};
  mutable std::mutex twin_mutex_;
  std::shared_ptr<const StorageTwin> twin_;
  bool plain_current_ = true;
};

struct TensorOptions {
  DType dtype = DType::f32;
  Device device = Device::cpu();
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  std::int64_t offset = 0;  // in elements, for views into a larger storage
  Shape shape;
  DType dtype = DType::f32;
  // Autograd: a leaf that wants gradients has requires_grad and no grad_fn; a result of a
  // recorded op has grad_fn (and requires_grad).
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;
  std::shared_ptr<TensorImpl> grad;  // accumulated gradient of a leaf
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Factories.
  static Tensor empty(const Shape& shape, TensorOptions opt = {});
  static Tensor zeros(const Shape& shape, TensorOptions opt = {});
  static Tensor ones(const Shape& shape, TensorOptions opt = {});
  static Tensor full(const Shape& shape, double value, TensorOptions opt = {});
  static Tensor scalar(double value, TensorOptions opt = {});
  // Standard normal / uniform [lo, hi) from the generator's Philox stream (advances it).
  static Tensor randn(const Shape& shape, Generator& gen, TensorOptions opt = {});
  static Tensor rand(const Shape& shape, Generator& gen, TensorOptions opt = {}, double lo = 0,
                     double hi = 1);
  template <typename T>
  static Tensor from_host(std::span<const T> data, const Shape& shape, Device device = Device::cpu());
  static Tensor from_vector(const std::vector<float>& data, const Shape& shape,
                            Device device = Device::cpu());
  static Tensor from_vector(const std::vector<double>& data, const Shape& shape,
                            Device device = Device::cpu());

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl_->shape; }
  int dim() const { return static_cast<int>(impl_->shape.size()); }
  // Size of dimension d; negative d counts from the end.
  std::int64_t size(int d) const;
  std::int64_t numel() const { return shape_numel(impl_->shape); }
  DType dtype() const { return impl_->dtype; }
  Device device() const { return impl_->storage->device(); }
  TensorOptions options() const { return {dtype(), device()}; }
  std::size_t nbytes() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype()); }

  // Typed pointer to the first element; checks the dtype.
  template <typename T> T* data() const;
  void* raw_data() const;

  // Host copies (work for any device).
  template <typename T> std::vector<T> to_vector() const;
  // The single value of a one-element tensor, as double.
  double item() const;
  // Copies host memory into this tensor (sizes must match).
  void copy_from_host(const void* src, std::size_t bytes) const;
  void copy_to_host(void* dst, std::size_t bytes) const;

  Tensor to(Device device) const;
  Tensor to(DType dtype) const;
  Tensor clone() const;  // differentiable copy
  // Same storage, cut off from autograd.
  Tensor detach() const;
  // Overwrites this tensor's values with src's (same shape), outside autograd.
  void assign(const Tensor& src) const;
  void fill_(double value) const;

  // Shape views (differentiable, share storage).
  Tensor reshape(const Shape& shape) const;
  Tensor flatten(int start_dim = 1) const;

  // Autograd.
  bool requires_grad() const { return impl_->requires_grad; }
  Tensor& set_requires_grad(bool on = true);
  const std::shared_ptr<Node>& grad_fn() const { return impl_->grad_fn; }
  bool is_leaf() const { return impl_->grad_fn == nullptr; }
  Tensor grad() const { return Tensor(impl_->grad); }
  void set_grad(const Tensor& g) const { impl_->grad = g.impl_; }
  void zero_grad() const { impl_->grad.reset(); }
  // Back-propagates from this (one-element) tensor into the leaves' .grad.
  void backward(const Tensor& grad_output = {}, bool retain_graph = false) const;

  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }
  bool same_storage(const Tensor& other) const { return impl_->storage == other.impl_->storage; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// Named tensors: parameters, buffers, optimizer state, checkpoints. Ordered by name.
using TensorMap = std::map<std::string, Tensor>;

}  // namespace gg

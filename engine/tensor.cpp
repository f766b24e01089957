#include "engine/tensor.h"

#include <cstring>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "engine/autograd.h"
#include "engine/backend.h"
#include "engine/ops.h"
#include "engine/random.h"

namespace gg {

std::int64_t shape_numel(const Shape& s) {
  std::int64_t n = 1;
  for (std::int64_t d : s) n *= d;
  return n;
}

std::string shape_str(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

std::string Device::str() const {
  return is_cpu() ? "cpu" : "cuda:" + std::to_string(index);
}

Device Device::parse(const std::string& text) {
  if (text == "cpu") return cpu();
  if (text == "cuda") return cuda(0);
  if (text.rfind("cuda:", 0) == 0 && text.size() > 5 &&
      text.find_first_not_of("0123456789", 5) == std::string::npos)
    return cuda(std::stoi(text.substr(5)));
  throw std::invalid_argument("unknown device '" + text + "' (expected cpu, cuda or cuda:N)");
}

Storage::Storage(std::size_t nbytes, Device dev) : bytes_(nbytes), device_(dev) {
  data_ = backend_for(dev).allocate(nbytes);
}

Storage::~Storage() {
  twin_.reset();  // a twin may hold memory of the same backend
  backend_for(device_).deallocate(data_, bytes_);
}

std::shared_ptr<const StorageTwin> Storage::twin() const {
  if (!has_twin_.load(std::memory_order_acquire)) return nullptr;
  std::lock_guard lock(twin_mutex_);
  return twin_;
}

void Storage::set_twin(std::shared_ptr<const StorageTwin> twin, bool plain_current) {
  std::lock_guard lock(twin_mutex_);
  twin_ = std::move(twin);
  plain_current_ = plain_current || !twin_;
  has_twin_.store(twin_ != nullptr, std::memory_order_release);
}

void Storage::settle() {
  std::lock_guard lock(twin_mutex_);
  if (!twin_) return;
  if (!plain_current_) twin_->write_plain(data_);
  twin_.reset();
  plain_current_ = true;
  has_twin_.store(false, std::memory_order_release);
}

Tensor Tensor::empty(const Shape& shape, TensorOptions opt) {
  for (std::int64_t d : shape)
    if (d < 0) throw std::invalid_argument("Tensor::empty: negative size in shape " + shape_str(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<std::size_t>(shape_numel(shape)) * dtype_size(opt.dtype),
                                            opt.device);
  impl->shape = shape;
  impl->dtype = opt.dtype;
  return Tensor(std::move(impl));
}

Tensor Tensor::full(const Shape& shape, double value, TensorOptions opt) {
  Tensor t = empty(shape, opt);
  t.fill_(value);
  return t;
}
Tensor Tensor::zeros(const Shape& shape, TensorOptions opt) { return full(shape, 0.0, opt); }
Tensor Tensor::ones(const Shape& shape, TensorOptions opt) { return full(shape, 1.0, opt); }
Tensor Tensor::scalar(double value, TensorOptions opt) { return full({}, value, opt); }

Tensor Tensor::randn(const Shape& shape, Generator& gen, TensorOptions opt) {
  Tensor t = empty(shape, opt);
  const std::uint64_t n = static_cast<std::uint64_t>(t.numel());
  backend_for(opt.device).random_normal(t, gen.seed(), gen.take(n + (n & 1)), 0.0, 1.0);
  return t;
}

Tensor Tensor::rand(const Shape& shape, Generator& gen, TensorOptions opt, double lo, double hi) {
  Tensor t = empty(shape, opt);
  backend_for(opt.device).random_uniform(t, gen.seed(), gen.take(static_cast<std::uint64_t>(t.numel())), lo, hi);
  return t;
}

template <typename T>
Tensor Tensor::from_host(std::span<const T> data, const Shape& shape, Device device) {
  if (static_cast<std::int64_t>(data.size()) != shape_numel(shape))
    throw std::invalid_argument("Tensor::from_host: " + std::to_string(data.size()) +
                                " values do not fill shape " + shape_str(shape));
  Tensor t = empty(shape, {dtype_of<T>(), device});
  t.copy_from_host(data.data(), data.size_bytes());
  return t;
}
template Tensor Tensor::from_host<float>(std::span<const float>, const Shape&, Device);
template Tensor Tensor::from_host<double>(std::span<const double>, const Shape&, Device);

Tensor Tensor::from_vector(const std::vector<float>& data, const Shape& shape, Device device) {
  return from_host(std::span<const float>(data), shape, device);
}
Tensor Tensor::from_vector(const std::vector<double>& data, const Shape& shape, Device device) {
  return from_host(std::span<const double>(data), shape, device);
}

std::int64_t Tensor::size(int d) const {
  const int n = dim();
  const int i = d < 0 ? d + n : d;
  if (i < 0 || i >= n)
    throw std::out_of_range("Tensor::size: dim " + std::to_string(d) + " out of range for shape " +
                            shape_str(shape()));
  return impl_->shape[static_cast<std::size_t>(i)];
}

void* Tensor::raw_data() const {
  return static_cast<char*>(impl_->storage->data()) + impl_->offset * static_cast<std::int64_t>(dtype_size(dtype()));
}

template <typename T> T* Tensor::data() const {
  if (dtype() != dtype_of<T>())
    throw std::invalid_argument(std::string("Tensor::data: tensor is ") + dtype_name(dtype()) +
                                ", asked for " + dtype_name(dtype_of<T>()));
  return static_cast<T*>(raw_data());
}
template float* Tensor::data<float>() const;
template double* Tensor::data<double>() const;

void Tensor::copy_from_host(const void* src, std::size_t bytes) const {
  if (bytes != nbytes())
    throw std::invalid_argument("Tensor::copy_from_host: " + std::to_string(bytes) + " bytes for a tensor of " +
                                std::to_string(nbytes()));
  backend_for(device()).copy_from_host(raw_data(), src, bytes);
}

void Tensor::copy_to_host(void* dst, std::size_t bytes) const {
  if (bytes != nbytes())
    throw std::invalid_argument("Tensor::copy_to_host: " + std::to_string(bytes) + " bytes for a tensor of " +
                                std::to_string(nbytes()));
  backend_for(device()).copy_to_host(dst, raw_data(), bytes);
}

template <typename T> std::vector<T> Tensor::to_vector() const {
  Tensor src = dtype() == dtype_of<T>() ? *this : to(dtype_of<T>());
  std::vector<T> out(static_cast<std::size_t>(numel()));
  src.copy_to_host(out.data(), out.size() * sizeof(T));
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;

double Tensor::item() const {
  if (numel() != 1)
    throw std::invalid_argument("Tensor::item: tensor of shape " + shape_str(shape()) + " has " +
                                std::to_string(numel()) + " elements, not 1");
  return to_vector<double>()[0];
}

Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  Tensor out = empty(shape(), {dtype(), target});
  if (device().is_cpu())
    backend_for(target).copy_from_host(out.raw_data(), raw_data(), nbytes());
  else if (target.is_cpu())
    backend_for(device()).copy_to_host(out.raw_data(), raw_data(), nbytes());
  else
    throw std::invalid_argument("Tensor::to: copies between two accelerators go through the host");
  return out;
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  Tensor out = empty(shape(), {target, device()});
  backend_for(device()).convert(*this, out);
  return out;
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape(), options());
  backend_for(device()).copy(out.raw_data(), raw_data(), nbytes());
  return record("clone", out, {*this}, [](Node&, const Tensor& g) { return std::vector<Tensor>{g}; });
}

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = impl_->storage;
  impl->offset = impl_->offset;
  impl->shape = impl_->shape;
  impl->dtype = impl_->dtype;
  return Tensor(std::move(impl));
}

void Tensor::assign(const Tensor& src) const {
  if (src.shape() != shape() || src.dtype() != dtype())
    throw std::invalid_argument("Tensor::assign: source " + shape_str(src.shape()) + " " +
                                dtype_name(src.dtype()) + " does not match " + shape_str(shape()) + " " +
                                dtype_name(dtype()));
  Tensor from = src.to(device());
  backend_for(device()).copy(raw_data(), from.raw_data(), nbytes());
}

void Tensor::fill_(double value) const { backend_for(device()).fill(*this, value); }

Tensor Tensor::reshape(const Shape& s) const { return gg::reshape(*this, s); }

Tensor Tensor::flatten(int start_dim) const {
  Shape s(shape().begin(), shape().begin() + start_dim);
  s.push_back(-1);
  return gg::reshape(*this, s);
}

Tensor& Tensor::set_requires_grad(bool on) {
  if (!is_leaf()) throw std::invalid_argument("set_requires_grad: only leaf tensors can be marked");
  impl_->requires_grad = on;
  return *this;
}

void Tensor::backward(const Tensor& grad_output, bool retain_graph) const {
  gg::backward({*this}, {grad_output}, retain_graph, false);
}

namespace {

template <typename T>
void print_values(std::ostream& os, const std::vector<T>& v, const Shape& shape, std::size_t dim,
                  std::int64_t& pos, int indent) {
  constexpr std::int64_t kEdge = 3;  // values shown at each end of a long dimension
  if (dim == shape.size()) {
    os << std::setw(10) << v[static_cast<std::size_t>(pos++)];
    return;
  }
  const std::int64_t n = shape[dim];
  const std::int64_t inner = shape_numel(Shape(shape.begin() + static_cast<std::ptrdiff_t>(dim) + 1, shape.end()));
  os << '[';
  for (std::int64_t i = 0; i < n; ++i) {
    if (n > 2 * kEdge && i == kEdge) {
      os << (dim + 1 == shape.size() ? " ..." : "\n" + std::string(static_cast<std::size_t>(indent + 1), ' ') + "...");
      pos += (n - 2 * kEdge) * inner;
      i = n - kEdge - 1;
      continue;
    }
    if (i) os << (dim + 1 == shape.size() ? "," : ",\n" + std::string(static_cast<std::size_t>(indent + 1), ' '));
    print_values(os, v, shape, dim + 1, pos, indent + 1);
  }
  os << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "Tensor(undefined)";
  std::ostringstream body;
  body << std::setprecision(t.dtype() == DType::f32 ? 5 : 8);
  std::int64_t pos = 0;
  dispatch_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    print_values(body, t.to_vector<T>(), t.shape(), 0, pos, 7);
  });
  os << "tensor(" << body.str() << ", shape=" << shape_str(t.shape()) << ", dtype=" << dtype_name(t.dtype())
     << ", device=" << t.device().str();
  if (t.grad_fn()) os << ", grad_fn=" << t.grad_fn()->name();
  else if (t.requires_grad()) os << ", requires_grad";
  return os << ')';
}

}  // namespace gg

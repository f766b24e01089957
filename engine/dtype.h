#pragma once
// Element types and devices: the two tags every tensor carries.
#include <cstddef>
#include <cstdint>
#include <string>

namespace gg {

enum class DType : std::uint8_t { f32, f64 };

inline std::size_t dtype_size(DType t) { return t == DType::f32 ? 4 : 8; }
inline const char* dtype_name(DType t) { return t == DType::f32 ? "f32" : "f64"; }

template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }

enum class DeviceType : std::uint8_t { cpu, cuda };

struct Device {
  DeviceType type = DeviceType::cpu;
  int index = 0;

  static Device cpu() { return {DeviceType::cpu, 0}; }
  static Device cuda(int i = 0) { return {DeviceType::cuda, i}; }
  bool is_cpu() const { return type == DeviceType::cpu; }
  bool operator==(const Device&) const = default;
  std::string str() const;
  // Parses "cpu", "cuda" or "cuda:N"; throws std::invalid_argument naming the text otherwise.
  static Device parse(const std::string& text);
};

// Calls f with a null pointer of the C++ type for `t` (float* or double*), so kernels are
// written once as templates: dispatch_dtype(t, [&](auto tag) { using T = decltype(tag); ... }).
template <typename F> decltype(auto) dispatch_dtype(DType t, F&& f) {
  if (t == DType::f32) return f(float{});
  return f(double{});
}

}  // namespace gg

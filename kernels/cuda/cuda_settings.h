#pragma once
// Switches of the CUDA backend that trade exactness for speed. Plain C++, so the command line
// can set them in any build (without CUDA they have no effect). Set them before the first op.
namespace gg {

struct CudaSettings {
  // TF32 tensor cores for f32 GEMMs and convolutions: several times faster on Ampere and later,
  // with a 10-bit mantissa in the products. Off by default: results then match the CPU closely.
  bool allow_tf32 = false;
  // cuDNN convolutions use only deterministic algorithms, picked by cuDNN's heuristics (the same
  // choice on every run). Off: the fastest algorithm by timing each one, which can differ between
  // runs, and some of which accumulate with atomics.
  bool deterministic = true;
};

inline CudaSettings& cuda_settings() {
  static CudaSettings settings;
  return settings;
}

}  // namespace gg

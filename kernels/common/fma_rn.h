#pragma once
// fma_rn(a, b, c) = a * b + c with one rounding, on the host and in CUDA device code alike. Code
// shared by the CPU loops and the CUDA kernels writes its multiply-adds with it, so neither
// compiler is left a choice to contract (or not) and both backends round every step alike. On the
// host std::fma is one instruction where the target has FMA (-march=native, GG_NATIVE's default,
// and every aarch64); a portable x86-64 build calls libm's (runtime-dispatched) fma instead:
// correct, but slower.
#include <cmath>

#include "kernels/common/host_device.h"

namespace gg {

GG_HD float fma_rn(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return __fmaf_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

GG_HD double fma_rn(double a, double b, double c) {
#if defined(__CUDA_ARCH__)
  return __fma_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

// a * b and a + b, each rounded on its own, never contracted into an fma: in CUDA by the _rn
// intrinsics; on the host only where the compiler may not contract, so a CPU file that uses them is
// compiled with -ffp-contract=off (engine/CMakeLists.txt).
GG_HD float mul_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
GG_HD double mul_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
GG_HD float add_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
GG_HD double add_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}

}  // namespace gg

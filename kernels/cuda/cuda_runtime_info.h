#pragma once
// What the CUDA runtime reports, so `--device cuda` can fail with a clear reason (never fall back
// to the CPU silently). Implemented in cuda_runtime_info.cu when CUDA is compiled in, and in
// cuda_runtime_info_stub.cpp otherwise.
#include <string>

namespace gg {

struct CudaRuntimeInfo {
  bool compiled = false;  // this build contains CUDA code
  int device_count = 0;
  std::string error;      // why no device was found, when none was
};

CudaRuntimeInfo cuda_runtime_info();

}  // namespace gg

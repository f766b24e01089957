#pragma once
// What the rest of the engine may call on the CUDA backend, in plain C++ (no CUDA headers).
// Defined in kernels/cuda/cuda_backend.cu, so callers guard their use with #if GG_WITH_CUDA
// (engine/backend.cpp does: backend_for reaches cuda_backend() only in CUDA builds).
#include "kernels/common/caching_allocator.h"

namespace gg {

class Backend;

// The backend of CUDA device `index`, created on first use with its stream and library handles.
// Throws std::runtime_error naming the failing call when the device cannot be set up.
Backend& cuda_backend(int index);

// The caching allocator's counters for device `index`, and a way to hand its cache back.
MemoryStats cuda_memory_stats(int index);
void cuda_release_cached_memory(int index);
// Waits for all work queued on the device's stream.
void cuda_synchronize(int index);

}  // namespace gg

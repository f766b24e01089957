#pragma once
// Marks functions that compile for both the CPU and the CUDA device, so shared math is written
// once and tested on the CPU.
#if defined(__CUDACC__)
#define GG_HD __host__ __device__ __forceinline__
#else
#define GG_HD inline
#endif

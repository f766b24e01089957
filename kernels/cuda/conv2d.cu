// conv2d through cuDNN: forward, backward data and backward filter.
//
// For each (pass, shape, dtype, settings) the usable algorithms are found once and cached, best
// first (kernels/cuda/conv_algo_cache.h):
//   deterministic mode (the default): cuDNN's heuristic ranking, deterministic algorithms only.
//     The ranking depends only on the shape and the GPU, so every run picks the same algorithm
//     and produces the same bits.
//   otherwise: every algorithm is timed (cudnnFind*Ex) and the fastest comes first. Timings vary,
//     so the choice, and the last bits of the results, can differ between runs.
// Without TF32 (the default) f32 algorithms run with CUDNN_FMA_MATH: CUDNN_DEFAULT_MATH would allow
// TF32 tensor cores on Ampere and later.
// Each call runs the first candidate whose workspace the device can provide; the workspace is one
// buffer per device that only grows, and on out of memory the next (usually leaner) algorithm runs.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cuda_settings.h"

namespace gg {

namespace {

using cuda::ConvAlgoChoice;
using cuda::ConvAlgoPerf;
using cuda::ConvPass;

int to_int(std::int64_t v, const char* what) {
  if (v > 0x7fffffff) throw std::invalid_argument(std::string("conv2d: ") + what + " exceeds cuDNN's int range");
  return static_cast<int>(v);
}

std::string describe(ConvPass pass, const ConvGeometry& g) {
  static const char* names[] = {"forward", "backward data", "backward filter"};
  return std::string("conv2d ") + names[static_cast<int>(pass)] + " of input (" + std::to_string(g.n) + ", " +
         std::to_string(g.c) + ", " + std::to_string(g.h) + ", " + std::to_string(g.w) + ") with weight (" +
         std::to_string(g.k) + ", " + std::to_string(g.c) + ", " + std::to_string(g.r) + ", " + std::to_string(g.s) +
         "), stride " + std::to_string(g.stride) + ", padding " + std::to_string(g.pad);
}

// The four descriptors of one convolution, destroyed with the call.
struct ConvDescriptors {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;

  ConvDescriptors(const ConvGeometry& g, cudnnDataType_t type, cudnnMathType_t math) {
    GG_CUDNN_CHECK(cudnnCreateTensorDescriptor(&x));
    GG_CUDNN_CHECK(cudnnCreateTensorDescriptor(&y));
    GG_CUDNN_CHECK(cudnnCreateFilterDescriptor(&w));
    GG_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&conv));
    GG_CUDNN_CHECK(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, type, to_int(g.n, "batch"), to_int(g.c, "channels"),
                                              to_int(g.h, "height"), to_int(g.w, "width")));
    GG_CUDNN_CHECK(cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, type, to_int(g.n, "batch"),
                                              to_int(g.k, "output channels"), to_int(g.p, "output height"),
                                              to_int(g.q, "output width")));
    GG_CUDNN_CHECK(cudnnSetFilter4dDescriptor(w, type, CUDNN_TENSOR_NCHW, to_int(g.k, "output channels"),
                                              to_int(g.c, "channels"), to_int(g.r, "kernel height"),
                                              to_int(g.s, "kernel width")));
    // Cross-correlation, as the CPU kernel (and every framework) computes.
    GG_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(conv, g.pad, g.pad, g.stride, g.stride, 1, 1,
                                                   CUDNN_CROSS_CORRELATION, type));
    GG_CUDNN_CHECK(cudnnSetConvolutionMathType(conv, math));
  }
  ~ConvDescriptors() {
    // Destroying descriptors cannot fail for valid handles; a destructor must not throw anyway.
    (void)cudnnDestroyConvolutionDescriptor(conv);
    (void)cudnnDestroyFilterDescriptor(w);
    (void)cudnnDestroyTensorDescriptor(y);
    (void)cudnnDestroyTensorDescriptor(x);
  }
  ConvDescriptors(const ConvDescriptors&) = delete;
  ConvDescriptors& operator=(const ConvDescriptors&) = delete;
};

// Device pointers by role: x the image (or its gradient), w the filter (or its gradient), y the
// output (or its gradient). Each pass writes one of them.
struct ConvData {
  void* x;
  void* w;
  void* y;
};

// The cuDNN calls of each pass, behind one interface.
template <ConvPass P> struct PassApi;

template <> struct PassApi<ConvPass::forward> {
  using Perf = cudnnConvolutionFwdAlgoPerf_t;
  using Algo = cudnnConvolutionFwdAlgo_t;
  static int max_count(cudnnHandle_t h) {
    int n = 0;
    GG_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithmMaxCount(h, &n));
    return n;
  }
  static int heuristics(cudnnHandle_t h, const ConvDescriptors& d, std::vector<Perf>& out) {
    int n = 0;
    GG_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, d.x, d.w, d.conv, d.y, static_cast<int>(out.size()), &n,
                                                          out.data()));
    return n;
  }
  static int find(cudnnHandle_t h, const ConvDescriptors& d, const ConvData& p, void* ws, std::size_t ws_bytes,
                  std::vector<Perf>& out) {
    int n = 0;
    GG_CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithmEx(h, d.x, p.x, d.w, p.w, d.conv, d.y, p.y,
                                                          static_cast<int>(out.size()), &n, out.data(), ws, ws_bytes));
    return n;
  }
  static cudnnStatus_t workspace(cudnnHandle_t h, const ConvDescriptors& d, Algo algo, std::size_t* bytes) {
    return cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.conv, d.y, algo, bytes);
  }
  static cudnnStatus_t run(cudnnHandle_t h, const ConvDescriptors& d, Algo algo, const ConvData& p, void* ws,
                           std::size_t ws_bytes, const void* one, const void* zero) {
    return cudnnConvolutionForward(h, one, d.x, p.x, d.w, p.w, d.conv, algo, ws, ws_bytes, zero, d.y, p.y);
  }
};

template <> struct PassApi<ConvPass::backward_data> {
  using Perf = cudnnConvolutionBwdDataAlgoPerf_t;
  using Algo = cudnnConvolutionBwdDataAlgo_t;
  static int max_count(cudnnHandle_t h) {
    int n = 0;
    GG_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &n));
    return n;
  }
  static int heuristics(cudnnHandle_t h, const ConvDescriptors& d, std::vector<Perf>& out) {
    int n = 0;
    GG_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w, d.y, d.conv, d.x, static_cast<int>(out.size()),
                                                               &n, out.data()));
    return n;
  }
  static int find(cudnnHandle_t h, const ConvDescriptors& d, const ConvData& p, void* ws, std::size_t ws_bytes,
                  std::vector<Perf>& out) {
    int n = 0;
    GG_CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithmEx(h, d.w, p.w, d.y, p.y, d.conv, d.x, p.x,
                                                               static_cast<int>(out.size()), &n, out.data(), ws,
                                                               ws_bytes));
    return n;
  }
  static cudnnStatus_t workspace(cudnnHandle_t h, const ConvDescriptors& d, Algo algo, std::size_t* bytes) {
    return cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w, d.y, d.conv, d.x, algo, bytes);
  }
  static cudnnStatus_t run(cudnnHandle_t h, const ConvDescriptors& d, Algo algo, const ConvData& p, void* ws,
                           std::size_t ws_bytes, const void* one, const void* zero) {
    return cudnnConvolutionBackwardData(h, one, d.w, p.w, d.y, p.y, d.conv, algo, ws, ws_bytes, zero, d.x, p.x);
  }
};

template <> struct PassApi<ConvPass::backward_filter> {
  using Perf = cudnnConvolutionBwdFilterAlgoPerf_t;
  using Algo = cudnnConvolutionBwdFilterAlgo_t;
  static int max_count(cudnnHandle_t h) {
    int n = 0;
    GG_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, &n));
    return n;
  }
  static int heuristics(cudnnHandle_t h, const ConvDescriptors& d, std::vector<Perf>& out) {
    int n = 0;
    GG_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, d.x, d.y, d.conv, d.w, static_cast<int>(out.size()),
                                                                 &n, out.data()));
    return n;
  }
  static int find(cudnnHandle_t h, const ConvDescriptors& d, const ConvData& p, void* ws, std::size_t ws_bytes,
                  std::vector<Perf>& out) {
    int n = 0;
    GG_CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithmEx(h, d.x, p.x, d.y, p.y, d.conv, d.w, p.w,
                                                                 static_cast<int>(out.size()), &n, out.data(), ws,
                                                                 ws_bytes));
    return n;
  }
  static cudnnStatus_t workspace(cudnnHandle_t h, const ConvDescriptors& d, Algo algo, std::size_t* bytes) {
    return cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x, d.y, d.conv, d.w, algo, bytes);
  }
  static cudnnStatus_t run(cudnnHandle_t h, const ConvDescriptors& d, Algo algo, const ConvData& p, void* ws,
                           std::size_t ws_bytes, const void* one, const void* zero) {
    return cudnnConvolutionBackwardFilter(h, one, d.x, p.x, d.y, p.y, d.conv, algo, ws, ws_bytes, zero, d.w, p.w);
  }
};

bool is_tensor_op(cudnnMathType_t m) { return m == CUDNN_TENSOR_OP_MATH || m == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION; }

// cuDNN's answers in plain form. The workspace size is asked again for each algorithm (with the
// math type it will run with): the heuristics' `memory` field is not reliable for every algorithm.
template <ConvPass P>
std::vector<ConvAlgoPerf> to_plain(cudnnHandle_t h, const ConvDescriptors& d, const std::vector<typename PassApi<P>::Perf>& perfs,
                                   int count, bool force_fma) {
  std::vector<ConvAlgoPerf> out;
  for (int i = 0; i < count; ++i) {
    const auto& p = perfs[static_cast<std::size_t>(i)];
    const cudnnMathType_t math = force_fma ? CUDNN_FMA_MATH : p.mathType;
    std::size_t bytes = 0;
    bool ok = p.status == CUDNN_STATUS_SUCCESS;
    if (ok) {
      GG_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, math));
      ok = PassApi<P>::workspace(h, d, p.algo, &bytes) == CUDNN_STATUS_SUCCESS;
    }
    out.push_back({static_cast<int>(p.algo), ok, p.determinism == CUDNN_DETERMINISTIC, static_cast<int>(math),
                   is_tensor_op(p.mathType), bytes});
  }
  return out;
}

}  // namespace

void CudaBackend::convolution(ConvPass pass, const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g) {
  static const char* range_names[] = {"conv2d_forward", "conv2d_backward_input", "conv2d_backward_weight"};
  const DeviceScope scope(device_, range_names[static_cast<int>(pass)]);
  if (x.numel() == 0 || w.numel() == 0 || y.numel() == 0) {  // cuDNN rejects empty tensors
    const Tensor& written = pass == ConvPass::forward ? y : pass == ConvPass::backward_data ? x : w;
    fill(written, 0.0);
    return;
  }
  const CudaSettings settings = cuda_settings();
  const bool is_f32 = x.dtype() == DType::f32;
  const cudnnDataType_t type = is_f32 ? CUDNN_DATA_FLOAT : CUDNN_DATA_DOUBLE;
  const bool force_fma = is_f32 && !settings.allow_tf32;  // keep f32 off the TF32 tensor cores
  const ConvData data{x.raw_data(), w.raw_data(), y.raw_data()};

  std::lock_guard lock(workspace_mutex_);
  const ConvDescriptors d(g, type, force_fma ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH);

  auto dispatch = [&](auto api_tag) {
    constexpr ConvPass kPass = decltype(api_tag)::value;
    using Pass = PassApi<kPass>;
    auto choose = [&] {
      std::vector<typename Pass::Perf> perfs(static_cast<std::size_t>(Pass::max_count(cudnn_)));
      int count = Pass::heuristics(cudnn_, d, perfs);
      std::vector<ConvAlgoPerf> plain = to_plain<kPass>(cudnn_, d, perfs, count, force_fma);
      const cuda::ConvAlgoFilter filter{settings.deterministic, !force_fma};
      if (!settings.deterministic) {
        // Time the candidates with the largest workspace the device can spare; algorithms that
        // need more than that are left out of the timing (cuDNN reports them as failed).
        std::vector<ConvAlgoChoice> usable = cuda::within_workspace(cuda::usable_algorithms(plain, filter),
                                                                    cuda::kMaxFindWorkspace);
        std::sort(usable.begin(), usable.end(), [](const auto& a, const auto& b) { return a.workspace > b.workspace; });
        cuda::first_that_fits(usable, [&](std::size_t bytes) { return ensure_workspace(bytes); });
        GG_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, force_fma ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH));
        count = Pass::find(cudnn_, d, data, workspace_, workspace_bytes_, perfs);
        plain = to_plain<kPass>(cudnn_, d, perfs, count, force_fma);
      }
      return cuda::usable_algorithms(plain, filter);
    };
    const auto key = cuda::make_conv_algo_key(kPass, x.dtype(), g, settings.deterministic, settings.allow_tf32);
    const std::vector<ConvAlgoChoice>& candidates = conv_algorithms_.get(key, choose);
    if (candidates.empty())
      throw std::runtime_error(describe(kPass, g) + ": cuDNN offers no " +
                               (settings.deterministic ? "deterministic " : "") + "algorithm for this shape");
    // alpha and beta are doubles for double data and floats otherwise.
    const double one_d = 1, zero_d = 0;
    const float one_f = 1, zero_f = 0;
    const void* one = is_f32 ? static_cast<const void*>(&one_f) : &one_d;
    const void* zero = is_f32 ? static_cast<const void*>(&zero_f) : &zero_d;
    bool out_of_memory = false;
    const ConvAlgoChoice* ran = cuda::run_first_supported(
        candidates,
        [&](std::size_t bytes) {
          const bool fits = ensure_workspace(bytes);
          out_of_memory = out_of_memory || !fits;
          return fits;
        },
        [&](const ConvAlgoChoice& c) {
          GG_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, static_cast<cudnnMathType_t>(c.math_type)));
          const cudnnStatus_t status = with_memory_retry([&] {
            return Pass::run(cudnn_, d, static_cast<typename Pass::Algo>(c.algo), data, workspace_, workspace_bytes_,
                             one, zero);
          });
          if (status == CUDNN_STATUS_NOT_SUPPORTED) return false;
          GG_CUDNN_CHECK(status);
          return true;
        });
    if (!ran) {
      std::size_t smallest = candidates.front().workspace;
      for (const ConvAlgoChoice& c : candidates) smallest = std::min(smallest, c.workspace);
      throw std::runtime_error(describe(kPass, g) + (out_of_memory ? ": out of device memory for the cuDNN workspace "
                                                                     "of every supported algorithm (the leanest needs " +
                                                                         std::to_string(smallest) + " bytes)"
                                                                   : ": cuDNN supports none of its offered algorithms"));
    }
  };
  switch (pass) {
    case ConvPass::forward: return dispatch(std::integral_constant<ConvPass, ConvPass::forward>{});
    case ConvPass::backward_data: return dispatch(std::integral_constant<ConvPass, ConvPass::backward_data>{});
    case ConvPass::backward_filter: return dispatch(std::integral_constant<ConvPass, ConvPass::backward_filter>{});
  }
}

void CudaBackend::conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g) {
  convolution(ConvPass::forward, x, w, y, g);
}

void CudaBackend::conv2d_backward_input(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeometry& g) {
  convolution(ConvPass::backward_data, gx, w, gy, g);
}

void CudaBackend::conv2d_backward_weight(const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeometry& g) {
  convolution(ConvPass::backward_filter, x, gw, gy, g);
}

}  // namespace gg

#pragma once
// The two FFTs the synthetic scans need, through FFTW (single precision). Plans are made once per
// size with FFTW_ESTIMATE (fast to make, and the same plan every run, so output is reproducible)
// and shared by all threads; only planning is serialised, executing a plan is thread-safe.
#include <complex>
#include <cstddef>
#include <memory>

namespace gg::data::synth {

using Complex = std::complex<float>;

// An array in FFTW's SIMD-aligned memory: every plan is made for, and run on, such arrays.
template <typename T> class FftArray {
 public:
  explicit FftArray(std::size_t n);
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  std::size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(T* p) const;
  };
  std::unique_ptr<T[], Free> data_;
  std::size_t size_;
};

// out[k] = sum_j in[j] exp(-2 pi i j k / n), k = 0..n/2 (n real inputs, n/2 + 1 outputs).
void forward_real_fft(const FftArray<float>& in, FftArray<Complex>& out);

// In place, unnormalised: x[j] <- sum_k x[k] exp(+2 pi i j k / n), n = x.size() (any n; powers of two are fastest).
void inverse_fft(FftArray<Complex>& x);
void inverse_fft(Complex* x, std::size_t n);  // x must come from an FftArray

}  // namespace gg::data::synth

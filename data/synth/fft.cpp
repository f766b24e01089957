#include "data/synth/fft.h"

#include <fftw3.h>

#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <utility>

namespace gg::data::synth {

template <typename T> FftArray<T>::FftArray(std::size_t n)
    : data_(static_cast<T*>(fftwf_malloc(n * sizeof(T)))), size_(n) {
  if (!data_ && n > 0) throw std::bad_alloc();
  for (std::size_t i = 0; i < n; ++i) new (data_.get() + i) T{};
}

template <typename T> void FftArray<T>::Free::operator()(T* p) const { fftwf_free(p); }

template class FftArray<float>;
template class FftArray<Complex>;

namespace {

enum class Kind { forward_real, inverse_complex };

// Plans by (kind, size), made on scratch arrays and run later on the caller's arrays with FFTW's
// new-array interface. Plans live until the program ends.
class PlanCache {
 public:
  ~PlanCache() {
    for (auto& [key, plan] : plans_) fftwf_destroy_plan(plan);
  }

  fftwf_plan get(Kind kind, std::size_t n) {
    std::lock_guard lock(mutex_);
    auto found = plans_.find({kind, n});
    if (found != plans_.end()) return found->second;
    const int size = static_cast<int>(n);
    fftwf_plan plan = nullptr;
    if (kind == Kind::forward_real) {
      FftArray<float> in(n);
      FftArray<Complex> out(n / 2 + 1);
      plan = fftwf_plan_dft_r2c_1d(size, in.data(), reinterpret_cast<fftwf_complex*>(out.data()), FFTW_ESTIMATE);
    } else {
      FftArray<Complex> x(n);
      auto* p = reinterpret_cast<fftwf_complex*>(x.data());
      plan = fftwf_plan_dft_1d(size, p, p, FFTW_BACKWARD, FFTW_ESTIMATE);
    }
    if (!plan) throw std::runtime_error("FFTW could not plan a transform of size " + std::to_string(n));
    plans_.emplace(std::make_pair(kind, n), plan);
    return plan;
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<Kind, std::size_t>, fftwf_plan> plans_;
};

PlanCache& plans() {
  static PlanCache cache;
  return cache;
}

}  // namespace

void forward_real_fft(const FftArray<float>& in, FftArray<Complex>& out) {
  if (out.size() != in.size() / 2 + 1) throw std::invalid_argument("forward_real_fft: output must hold n/2 + 1 values");
  // FFTW's r2c does not write its input; the signature just is not const-correct.
  fftwf_execute_dft_r2c(plans().get(Kind::forward_real, in.size()), const_cast<float*>(in.data()),
                        reinterpret_cast<fftwf_complex*>(out.data()));
}

void inverse_fft(Complex* x, std::size_t n) {
  auto* p = reinterpret_cast<fftwf_complex*>(x);
  fftwf_execute_dft(plans().get(Kind::inverse_complex, n), p, p);
}

void inverse_fft(FftArray<Complex>& x) { inverse_fft(x.data(), x.size()); }

}  // namespace gg::data::synth

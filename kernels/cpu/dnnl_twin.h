#pragma once
// oneDNN's blocked layouts as storage twins (engine/tensor.h, StorageTwin). A convolution that
// wants an operand blocked takes the operand's twin when it holds exactly that layout, and leaves
// its result as a sole twin; the plain NCHW bytes are written only when something reads them.
// So consecutive convolutions, and the elementwise kernels between them that read twins
// (kernels/cpu/blocked_layout.h), skip the reorders to NCHW and back.
#include <oneapi/dnnl/dnnl.hpp>

#include "engine/tensor.h"

namespace gg::cpu {

// The CPU engine every oneDNN primitive of the backend runs on.
dnnl::engine& dnnl_cpu_engine();

// Whether convolutions leave activations as twins: on unless GG_CONV_TWINS=0 was set at start (to
// compare; the results are the same bits either way). Off, every call reorders from and back to
// NCHW through scratch, as before twins.
bool dnnl_twins_enabled();
void set_dnnl_twins_enabled(bool on);

class DnnlTwin final : public StorageTwin {
 public:
  explicit DnnlTwin(const dnnl::memory::desc& desc);
  ~DnnlTwin() override;
  DnnlTwin(const DnnlTwin&) = delete;
  DnnlTwin& operator=(const DnnlTwin&) = delete;

  void write_plain(void* plain) const override;
  const dnnl::memory::desc& desc() const { return desc_; }
  float* data() const { return data_; }

 private:
  dnnl::memory::desc desc_;
  std::size_t bytes_;
  float* data_;
};

// t's twin, when t is a whole f32 storage whose twin is a DnnlTwin; else null.
std::shared_ptr<const DnnlTwin> dnnl_twin(const Tensor& t);

// Gives t (a whole f32 storage) a new twin in `desc`: a copy of the plain bytes when plain_current
// (the caller fills it from them), else the sole current values (the caller writes them). Returns it.
const DnnlTwin& attach_dnnl_twin(const Tensor& t, const dnnl::memory::desc& desc, bool plain_current);

// Whether t is f32 on the CPU and covers its whole storage from its start: only then can a twin
// stand for t.
bool whole_storage(const Tensor& t);

}  // namespace gg::cpu

// Storage twins (engine/tensor.h) and the oneDNN convolutions that keep activations in them between
// layers (kernels/cpu/dnnl_twin.h): plain access writes a sole twin back and drops it, so an in-place
// write cannot leave a stale one; and ProGAN's discriminator and generator layers and the
// classifier's layers give the same bits, forward, backward and (for D) double backward, whether
// their activations stay blocked or are made plain between the layers.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/ops_progan.h"
#include "engine/progan_backend.h"
#include "engine/random.h"
#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/dnnl_twin.h"

using namespace gg;

namespace {

// A twin whose values are all `value`, counting how often it is written back.
class ConstantTwin final : public StorageTwin {
 public:
  ConstantTwin(float value, std::size_t count, int& writes) : value_(value), count_(count), writes_(writes) {}
  void write_plain(void* plain) const override {
    std::fill_n(static_cast<float*>(plain), count_, value_);
    ++writes_;
  }

 private:
  float value_;
  std::size_t count_;
  int& writes_;
};

bool bit_identical(const Tensor& a, const Tensor& b) {
  const std::vector<float> va = a.to_vector<float>(), vb = b.to_vector<float>();
  return va.size() == vb.size() && std::memcmp(va.data(), vb.data(), va.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("storage twins: plain access writes a sole twin back once and drops it; a copy is dropped unwritten") {
  int writes = 0;
  const Tensor t = Tensor::zeros({5});
  Storage& storage = *t.impl()->storage;
  storage.set_twin(std::make_shared<ConstantTwin>(7.0f, 5, writes), /*plain_current=*/false);
  CHECK(storage.twin() != nullptr);
  CHECK(writes == 0);  // asking for the twin leaves the plain bytes alone
  CHECK(t.to_vector<float>() == std::vector<float>(5, 7.0f));
  CHECK(writes == 1);
  CHECK(storage.twin() == nullptr);
  CHECK(t.to_vector<float>() == std::vector<float>(5, 7.0f));
  CHECK(writes == 1);

  storage.set_twin(std::make_shared<ConstantTwin>(9.0f, 5, writes), /*plain_current=*/true);
  t.fill_(2.0);  // an in-place write: the copy is stale now, and must be gone
  CHECK(storage.twin() == nullptr);
  CHECK(writes == 1);
  CHECK(t.to_vector<float>() == std::vector<float>(5, 2.0f));
}

TEST_CASE("conv twins: a convolution leaves its result blocked and keeps its input's copy until a plain write") {
  Generator gen(3);
  const Tensor x = Tensor::randn({2, 64, 8, 8}, gen), w = Tensor::randn({64, 64, 3, 3}, gen);
  const Tensor y = conv2d(x, w, {}, {1, 1});
  REQUIRE(cpu::channel_blocked(y).has_value());
  CHECK(cpu::channel_blocked(x).has_value());
  const Tensor y_again = conv2d(x, w, {}, {1, 1});  // reads x's twin
  CHECK(bit_identical(y_again, y));

  // Per-channel sums (a bias's gradient) read the twin in place, with the plain path's bits.
  const Tensor z = conv2d(x, w, {}, {1, 1});
  const Tensor channel_sums = sum(z, {0, 2, 3});
  CHECK(cpu::channel_blocked(z).has_value());  // still no plain copy
  CHECK(bit_identical(channel_sums, sum(z.clone(), {0, 2, 3})));

  x.fill_(0.5);
  CHECK_FALSE(cpu::channel_blocked(x).has_value());
  CHECK(bit_identical(conv2d(x, w, {}, {1, 1}), conv2d(Tensor::full(x.shape(), 0.5), w, {}, {1, 1})));

  // An in-place kernel on a blocked copy makes it the only current one: the plain bytes follow.
  const Tensor x_copy = Tensor::randn({2, 64, 8, 8}, gen);
  conv2d(x_copy, w, {}, {1, 1});  // leaves x_copy's blocked copy beside its plain bytes
  REQUIRE(cpu::channel_blocked(x_copy).has_value());
  const Tensor expected = x_copy.clone();  // a plain read: drops the copy, so make it again
  conv2d(x_copy, w, {}, {1, 1});
  const Tensor bias = Tensor::randn({64}, gen);
  progan_kernels_for(Device::cpu(), "scale_bias_activate").scale_bias_activate(x_copy, bias, 0.5, true, 0.2);
  progan_kernels_for(Device::cpu(), "scale_bias_activate").scale_bias_activate(expected, bias, 0.5, true, 0.2);
  CHECK(bit_identical(x_copy, expected));

  // A view that is not its whole storage takes the scratch path and leaves no twin.
  const Tensor both = Tensor::randn({4, 64, 8, 8}, gen);
  const Tensor first = slice(both, 0, 0, 2).detach();
  CHECK(bit_identical(conv2d(first, w, {}, {1, 1}), conv2d(first.clone(), w, {}, {1, 1})));
}

TEST_CASE("conv twins: discriminator layers give the same bits with blocked activations as with plain ones") {
  Generator gen(11);
  const Tensor x0 = Tensor::randn({4, 32, 16, 16}, gen);
  const Tensor w1 = Tensor::randn({32, 32, 3, 3}, gen), b1 = Tensor::randn({32}, gen);
  const Tensor w2 = Tensor::randn({64, 32, 3, 3}, gen), b2 = Tensor::randn({64}, gen);
  const Tensor w3 = Tensor::randn({64, 64, 3, 3}, gen), b3 = Tensor::randn({64}, gen);
  const EqualizedOptions act{.leaky_relu = true}, down{.leaky_relu = true, .downscale = true};

  struct Result {
    Tensor out, gx;
    std::vector<Tensor> penalty_grads;  // of the weights and the biases
  };
  // conv, conv_down, conv as D's blocks, the input gradient with create_graph as the gradient
  // penalty takes it, and that penalty's gradient in the weights. `plain`: no twins, and every
  // activation read plainly as it is made.
  auto run = [&](bool plain) {
    cpu::set_dnnl_twins_enabled(!plain);
    const Tensor x = x0.clone().set_requires_grad();
    std::vector<Tensor> params;
    for (const Tensor& t : {w1, b1, w2, b2, w3, b3}) params.push_back(t.clone().set_requires_grad());
    auto seen = [plain](const Tensor& t) {
      if (plain) t.raw_data();
      return t;
    };
    const Tensor h1 = seen(equalized_conv2d(x, params[0], params[1], act));
    const Tensor h2 = seen(equalized_conv2d(h1, params[2], params[3], down));
    const Tensor out = sum(square(seen(equalized_conv2d(h2, params[4], params[5], act))));
    const Tensor gx = seen(grad({out}, {x}, {}, {.create_graph = true}).front());
    const std::vector<Tensor> g = grad({sum(square(gx))}, params);
    cpu::set_dnnl_twins_enabled(true);
    return Result{out.detach(), gx.detach(), g};
  };
  const Result blocked = run(false), plain = run(true);
  CHECK(bit_identical(blocked.out, plain.out));
  CHECK(bit_identical(blocked.gx, plain.gx));
  for (std::size_t i = 0; i < blocked.penalty_grads.size(); ++i) {
    CAPTURE(i);
    CHECK(bit_identical(blocked.penalty_grads[i], plain.penalty_grads[i]));
  }
}

TEST_CASE("conv twins: generator layers give the same bits with blocked activations as with plain ones") {
  Generator gen(12);
  const Tensor x0 = Tensor::randn({4, 32, 8, 8}, gen), r = Tensor::randn({4, 32, 16, 16}, gen);
  const Tensor w1 = Tensor::randn({32, 32, 3, 3}, gen), b1 = Tensor::randn({32}, gen);
  const Tensor w2 = Tensor::randn({32, 32, 3, 3}, gen), b2 = Tensor::randn({32}, gen);
  const EqualizedOptions up{.leaky_relu = true, .upscale = true}, act{.leaky_relu = true};

  struct Result {
    Tensor out;
    std::vector<Tensor> grads;  // of the input, the weights and the biases
    bool norm_blocked = false;  // whether pixel norm wrote its output blocked
  };
  // G's block: conv0_up, pixel norm, conv1, pixel norm, then a plain backward. The first pixel
  // norm's gradient arrives blocked from conv1's input gradient, the second's plain from the loss.
  auto run = [&](bool plain) {
    cpu::set_dnnl_twins_enabled(!plain);
    const Tensor x = x0.clone().set_requires_grad();
    std::vector<Tensor> params{x};
    for (const Tensor& t : {w1, b1, w2, b2}) params.push_back(t.clone().set_requires_grad());
    auto seen = [plain](const Tensor& t) {
      if (plain) t.raw_data();
      return t;
    };
    const Tensor h1 = seen(pixel_norm(seen(equalized_conv2d(x, params[1], params[2], up))));
    const Tensor h2 = pixel_norm(seen(equalized_conv2d(h1, params[3], params[4], act)));
    const bool norm_blocked = cpu::channel_blocked(h2).has_value();
    const Tensor out = sum(mul(h2, r));
    const std::vector<Tensor> g = grad({out}, params);
    cpu::set_dnnl_twins_enabled(true);
    return Result{out.detach(), g, norm_blocked};
  };
  const Result blocked = run(false), plain = run(true);
  CHECK(blocked.norm_blocked);
  CHECK_FALSE(plain.norm_blocked);
  CHECK(bit_identical(blocked.out, plain.out));
  for (std::size_t i = 0; i < blocked.grads.size(); ++i) {
    CAPTURE(i);
    CHECK(bit_identical(blocked.grads[i], plain.grads[i]));
  }
}

TEST_CASE("conv twins: classifier layers give the same bits with blocked activations as with plain ones") {
  Generator gen(13);
  const Tensor x0 = Tensor::randn({4, 8, 16, 16}, gen), r = Tensor::randn({4, 32, 8, 8}, gen);
  const Tensor w1 = Tensor::randn({16, 8, 3, 3}, gen), w2 = Tensor::randn({32, 16, 3, 3}, gen);
  const Tensor w3 = Tensor::randn({32, 32, 3, 3}, gen);
  const Tensor gamma1 = Tensor::randn({16}, gen), beta1 = Tensor::randn({16}, gen);
  const Tensor gamma2 = Tensor::randn({32}, gen), beta2 = Tensor::randn({32}, gen);
  const Tensor mean1 = Tensor::randn({16}, gen), var1 = exp(Tensor::randn({16}, gen));
  const Tensor mean2 = Tensor::randn({32}, gen), var2 = exp(Tensor::randn({32}, gen));

  struct Result {
    Tensor out;
    std::vector<Tensor> grads;  // of the input, the weights and the batch norms' gammas and betas
    bool stayed_blocked = false;  // whether both batch norms and the pool wrote their outputs blocked
  };
  // conv, batch norm + ReLU, conv, batch norm + ReLU, max pool, conv, in training (batch
  // statistics, a plain backward, every gradient blocked as the convolutions' input gradients
  // leave them) or evaluation (running statistics, forward only).
  auto run = [&](bool plain, bool training) {
    cpu::set_dnnl_twins_enabled(!plain);
    BatchNormState stats1{mean1.clone(), var1.clone()}, stats2{mean2.clone(), var2.clone()};
    std::vector<Tensor> params;
    for (const Tensor& t : {x0, w1, w2, gamma1, beta1, gamma2, beta2, w3}) params.push_back(t.clone().set_requires_grad(training));
    auto seen = [plain](const Tensor& t) {
      if (plain) t.raw_data();
      return t;
    };
    const Tensor c1 = seen(conv2d(params[0], params[1], {}, {1, 1}));
    const Tensor h1 = seen(batch_norm_relu(c1, params[3], params[4], stats1, training));
    const Tensor c2 = seen(conv2d(h1, params[2], {}, {1, 1}));
    const Tensor h2 = seen(batch_norm_relu(c2, params[5], params[6], stats2, training));
    const Tensor p = seen(max_pool2x2(h2));
    const bool stayed_blocked = cpu::channel_blocked(h1) && cpu::channel_blocked(h2) && cpu::channel_blocked(p);
    const Tensor out = sum(mul(conv2d(p, params[7], {}, {1, 1}), r));
    const std::vector<Tensor> g = training ? grad({out}, params) : std::vector<Tensor>{};
    cpu::set_dnnl_twins_enabled(true);
    return Result{out.detach(), g, stayed_blocked};
  };
  for (const bool training : {false, true}) {
    CAPTURE(training);
    const Result blocked = run(false, training), plain = run(true, training);
    CHECK(blocked.stayed_blocked);
    CHECK_FALSE(plain.stayed_blocked);
    CHECK(bit_identical(blocked.out, plain.out));
    REQUIRE(blocked.grads.size() == plain.grads.size());
    for (std::size_t i = 0; i < blocked.grads.size(); ++i) {
      CAPTURE(i);
      CHECK(bit_identical(blocked.grads[i], plain.grads[i]));
    }
  }
}

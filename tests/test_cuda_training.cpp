// Whole training steps on CUDA: optimizers against the CPU, gradients of gradients (WGAN-GP's
// penalty) against the CPU, bit-identical reruns on the GPU, and the caching allocator at work.
#include <cstring>

#include "engine/optim.h"
#include "tests/test_cuda_helpers.h"
#if GG_WITH_CUDA
#include "kernels/cuda/cuda_backend_api.h"
#endif

using namespace gg;
using cuda_testing::gpu;

namespace {

// A small conv net: conv -> leaky relu -> avg pool -> linear, on inputs x with labels.
struct Net {
  Tensor w1, b1, w2, b2;
  std::vector<Tensor> params() const { return {w1, b1, w2, b2}; }
  Tensor forward(const Tensor& x) const {
    const Tensor h = avg_pool2x2(leaky_relu(conv2d(x, w1, b1, {1, 1}), 0.2));
    return linear(h.flatten(1), w2, b2);
  }
};

Net make_net(Device device, std::uint64_t seed) {
  Generator gen(seed);
  auto param = [&](const Shape& s, double scale) {
    Tensor t = mul(Tensor::randn(s, gen), scale).to(device).detach();
    t.set_requires_grad(true);
    return t;
  };
  return {param({8, 3, 3, 3}, 0.3), param({8}, 0.1), param({10, 8 * 4 * 4}, 0.1), param({10}, 0.1)};
}

// Runs `steps` Adam steps of cross-entropy training and returns the parameters and the losses.
std::pair<std::vector<Tensor>, std::vector<double>> train(Device device, int steps) {
  Net net = make_net(device, 3);
  Adam opt(net.params(), {.lr = 1e-2, .beta1 = 0.0, .beta2 = 0.99, .eps = 1e-8});
  Generator data(5);
  const Tensor x = Tensor::randn({16, 3, 8, 8}, data).to(device);
  std::vector<int> labels(16);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>(i % 10);
  std::vector<double> losses;
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    const Tensor loss = cross_entropy(net.forward(x), labels);
    loss.backward();
    opt.step();
    losses.push_back(loss.item());
  }
  return {net.params(), losses};
}

}  // namespace

TEST_CASE("cuda: SGD and Adam updates match the CPU") {
  GG_REQUIRE_CUDA();
  for (DType dt : {DType::f32, DType::f64}) {
    const double tol = dt == DType::f32 ? 1e-6 : 1e-14;
    for (int variant = 0; variant < 4; ++variant) {
      CAPTURE(variant);
      Tensor cpu_p = gg::testing::random_f64({1000}, 1).to(dt), gpu_p = cpu_p.to(gpu());
      cpu_p.set_requires_grad(true);
      gpu_p.set_requires_grad(true);
      std::unique_ptr<Optimizer> cpu_opt, gpu_opt;
      if (variant == 0) {
        cpu_opt = std::make_unique<SGD>(std::vector<Tensor>{cpu_p}, SgdOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true});
        gpu_opt = std::make_unique<SGD>(std::vector<Tensor>{gpu_p}, SgdOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true});
      } else if (variant == 1) {
        cpu_opt = std::make_unique<SGD>(std::vector<Tensor>{cpu_p}, SgdOptions{.lr = 0.1, .weight_decay = 0.01});
        gpu_opt = std::make_unique<SGD>(std::vector<Tensor>{gpu_p}, SgdOptions{.lr = 0.1, .weight_decay = 0.01});
      } else {
        const AdamOptions o{.lr = 1e-2, .weight_decay = 0.1, .decoupled_weight_decay = variant == 3};
        cpu_opt = std::make_unique<Adam>(std::vector<Tensor>{cpu_p}, o);
        gpu_opt = std::make_unique<Adam>(std::vector<Tensor>{gpu_p}, o);
      }
      for (int step = 0; step < 3; ++step) {
        const Tensor g = gg::testing::random_f64({1000}, 10 + static_cast<std::uint64_t>(step)).to(dt);
        cpu_p.set_grad(g);
        gpu_p.set_grad(g.to(gpu()));
        cpu_opt->step();
        gpu_opt->step();
      }
      gg::testing::check_close(gpu_p, cpu_p, tol, tol);
    }
  }
}

TEST_CASE("cuda: gradients of gradients (WGAN-GP's penalty) match the CPU") {
  GG_REQUIRE_CUDA();
  // penalty = mean((|d D(x) / dx| - 1)^2) with D a small conv net; its gradient w.r.t. the weights.
  auto penalty_grads = [](Device device) {
    Net net = make_net(device, 8);
    Generator gen(9);
    Tensor x = Tensor::randn({4, 3, 8, 8}, gen).to(device).detach();
    x.set_requires_grad(true);
    const Tensor score = sum(net.forward(x));
    const Tensor gx = grad({score}, {x}, {}, {.create_graph = true})[0];
    const Tensor norm = sqrt(add(sum(square(gx), {1, 2, 3}), 1e-12));
    const Tensor penalty = mean(square(add(norm, -1.0)));
    return grad({penalty}, net.params());
  };
  const auto c = penalty_grads(Device::cpu());
  const auto g = penalty_grads(gpu());
  for (std::size_t i = 0; i < c.size(); ++i) {
    CAPTURE(i);
    gg::testing::check_close(g[i], c[i], 1e-4, 1e-3);
  }
}

TEST_CASE("cuda: training on the GPU is bit-identical between two runs") {
  GG_REQUIRE_CUDA();
  const auto [params_a, losses_a] = train(gpu(), 5);
  const auto [params_b, losses_b] = train(gpu(), 5);
  CHECK(losses_a == losses_b);
  for (std::size_t i = 0; i < params_a.size(); ++i) {
    CAPTURE(i);
    cuda_testing::check_identical<float>(params_a[i], params_b[i]);
  }
  // And it learns the same thing as the CPU, within f32 noise.
  const auto [params_cpu, losses_cpu] = train(Device::cpu(), 5);
  for (std::size_t s = 0; s < losses_cpu.size(); ++s) CHECK(losses_a[s] == doctest::Approx(losses_cpu[s]).epsilon(1e-3));
}

#if GG_WITH_CUDA
TEST_CASE("cuda: the caching allocator reuses freed tensors' memory") {
  GG_REQUIRE_CUDA();
  { const Tensor warm = Tensor::zeros({1 << 20}, {DType::f32, gpu()}); }
  const MemoryStats before = cuda_memory_stats(0);
  for (int i = 0; i < 10; ++i) {
    const Tensor t = Tensor::zeros({1 << 20}, {DType::f32, gpu()});
    CHECK(cuda_memory_stats(0).in_use >= before.in_use + (std::size_t{4} << 20));
  }
  const MemoryStats after = cuda_memory_stats(0);
  CHECK(after.device_allocations == before.device_allocations);  // all ten came from the cache
  CHECK(after.reuses >= before.reuses + 10);
  CHECK(after.in_use == before.in_use);
  CHECK(after.peak_in_use >= after.in_use);
  cuda_release_cached_memory(0);
  CHECK(cuda_memory_stats(0).cached == 0);
}
#endif

// Optimizers against hand-written reference updates, learning-rate decay, and state export.
#include <cmath>

#include "engine/optim.h"
#include "tests/testing.h"

using namespace gg;

namespace {

Tensor leaf(std::vector<double> v) {
  Tensor t = Tensor::from_vector(v, {static_cast<std::int64_t>(v.size())});
  t.set_requires_grad();
  return t;
}

// Sets p.grad to g (as if from backward).
void set_grad(const Tensor& p, std::vector<double> g) { p.set_grad(Tensor::from_vector(g, p.shape())); }

}  // namespace

TEST_CASE("optim: SGD with momentum, Nesterov and weight decay follows the PyTorch recurrences") {
  for (bool nesterov : {false, true}) {
    Tensor p = leaf({1.0, -2.0});
    SGD opt({p}, {.lr = 0.1, .momentum = 0.9, .nesterov = nesterov, .weight_decay = 0.01});
    std::vector<double> ref = {1.0, -2.0}, buf = {0, 0};
    const std::vector<std::vector<double>> grads = {{0.5, -1.0}, {0.2, 0.3}, {-0.4, 0.1}};
    for (std::size_t step = 0; step < grads.size(); ++step) {
      set_grad(p, grads[step]);
      opt.step();
      for (std::size_t i = 0; i < 2; ++i) {
        const double g = grads[step][i] + 0.01 * ref[i];
        buf[i] = step == 0 ? g : 0.9 * buf[i] + g;
        ref[i] -= 0.1 * (nesterov ? g + 0.9 * buf[i] : buf[i]);
      }
    }
    const auto got = p.to_vector<double>();
    CHECK(got[0] == doctest::Approx(ref[0]).epsilon(1e-14));
    CHECK(got[1] == doctest::Approx(ref[1]).epsilon(1e-14));
  }
}

TEST_CASE("optim: Adam and AdamW follow the published update with bias correction") {
  for (bool decoupled : {false, true}) {
    Tensor p = leaf({0.5, -1.5, 3.0});
    AdamOptions o{.lr = 0.01, .beta1 = 0.0, .beta2 = 0.99, .eps = 1e-8, .weight_decay = 0.1};
    Adam opt = decoupled ? AdamW({p}, o) : Adam({p}, o);
    std::vector<double> ref = {0.5, -1.5, 3.0}, m(3, 0), v(3, 0);
    for (int t = 1; t <= 4; ++t) {
      const std::vector<double> g = {0.1 * t, -0.2, 0.3 / t};
      set_grad(p, g);
      opt.step();
      for (std::size_t i = 0; i < 3; ++i) {
        double gi = g[i];
        if (decoupled) ref[i] -= 0.01 * 0.1 * ref[i];
        else gi += 0.1 * ref[i];
        m[i] = 0.0 * m[i] + 1.0 * gi;
        v[i] = 0.99 * v[i] + 0.01 * gi * gi;
        const double mh = m[i] / (1 - std::pow(0.0, t)), vh = v[i] / (1 - std::pow(0.99, t));
        ref[i] -= 0.01 * mh / (std::sqrt(vh) + 1e-8);
      }
    }
    const auto got = p.to_vector<double>();
    for (std::size_t i = 0; i < 3; ++i) CHECK(got[i] == doctest::Approx(ref[i]).epsilon(1e-12));
  }
}

TEST_CASE("optim: StepLR decays every step_size epochs") {
  Tensor p = leaf({1.0});
  SGD opt({p}, {.lr = 1.0});
  StepLR sched(opt, 7, 0.1);
  for (int e = 1; e <= 15; ++e) {
    sched.step();
    const double expected = e < 7 ? 1.0 : (e < 14 ? 0.1 : 0.01);
    CHECK(opt.learning_rate() == doctest::Approx(expected));
  }
}

TEST_CASE("optim: exported state resumes bit-identically, mismatches are clear errors") {
  auto run = [](int steps_before, int steps_after, bool reload) {
    Tensor p = leaf({0.3, -0.7});
    Adam opt({p}, {.lr = 0.05});
    for (int s = 0; s < steps_before; ++s) {
      set_grad(p, {std::sin(s + 1.0), std::cos(s + 1.0)});
      opt.step();
    }
    if (reload) {
      const TensorMap state = opt.state_dict();
      Tensor q = leaf({0, 0});
      q.assign(p.detach());
      Adam fresh({q}, {.lr = 0.05});
      fresh.load_state_dict(state);
      p = q;
      opt = fresh;
    }
    for (int s = steps_before; s < steps_before + steps_after; ++s) {
      set_grad(p, {std::sin(s + 1.0), std::cos(s + 1.0)});
      opt.step();
    }
    return p.to_vector<double>();
  };
  CHECK(run(3, 4, true) == run(3, 4, false));
  Tensor p = leaf({1, 2});
  Adam opt({p}, {});
  set_grad(p, {1, 1});
  opt.step();
  TensorMap state = opt.state_dict();
  CHECK(state.count("optim.step"));
  CHECK(state.count("optim.0.exp_avg"));
  state["optim.0.exp_avg"] = Tensor::zeros({3}, {DType::f64});
  CHECK_THROWS_WITH_AS(opt.load_state_dict(state), doctest::Contains("optim.0.exp_avg"), std::invalid_argument);
  state.erase("optim.0.exp_avg");
  state["optim.5.exp_avg"] = Tensor::zeros({2}, {DType::f64});
  CHECK_THROWS_WITH_AS(opt.load_state_dict(state), doctest::Contains("names no parameter"), std::invalid_argument);
}

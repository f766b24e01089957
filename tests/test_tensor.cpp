// Tensor basics: factories, views, host copies, dtype and device handling, printing.
#include <sstream>

#include "kernels/common/philox.h"
#include "tests/testing.h"

using namespace gg;

TEST_CASE("tensor: factories, shapes and host copies") {
  const Tensor z = Tensor::zeros({2, 3});
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.numel() == 6);
  CHECK(z.dim() == 2);
  CHECK(z.size(-1) == 3);
  CHECK(z.dtype() == DType::f32);
  CHECK(z.device() == Device::cpu());
  CHECK(z.to_vector<float>() == std::vector<float>(6, 0.f));
  CHECK(Tensor::ones({4}, {DType::f64}).to_vector<double>() == std::vector<double>(4, 1.0));
  CHECK(Tensor::full({2}, 2.5).to_vector<float>() == std::vector<float>{2.5f, 2.5f});
  CHECK(Tensor::scalar(3.0).item() == 3.0);
  const Tensor v = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(v.to_vector<double>() == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(v.to(DType::f64).dtype() == DType::f64);
  CHECK(v.to(DType::f64).to_vector<float>() == v.to_vector<float>());
  CHECK(reinterpret_cast<std::uintptr_t>(v.raw_data()) % 64 == 0);
  CHECK_THROWS_AS(v.data<double>(), std::invalid_argument);
  CHECK_THROWS_WITH_AS(v.item(), doctest::Contains("not 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(Tensor::from_vector(std::vector<float>{1, 2}, {3}), doctest::Contains("do not fill"), std::invalid_argument);
  CHECK_THROWS_AS(v.size(2), std::out_of_range);
}

TEST_CASE("tensor: reshape is a view, clone and assign copy") {
  const Tensor a = Tensor::from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  const Tensor r = a.reshape({4});
  a.data<float>()[0] = 9;
  CHECK(r.to_vector<float>()[0] == 9);
  const Tensor c = a.clone();
  a.data<float>()[1] = 7;
  CHECK(c.to_vector<float>()[1] == 2);
  c.assign(a);
  CHECK(c.to_vector<float>() == a.to_vector<float>());
  CHECK_THROWS_AS(c.assign(Tensor::zeros({3})), std::invalid_argument);
}

TEST_CASE("tensor: printing is readable and elides long dims") {
  std::ostringstream small;
  small << Tensor::from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  CHECK(small.str().find("tensor([[") == 0);
  CHECK(small.str().find("shape=(2, 2), dtype=f32, device=cpu") != std::string::npos);
  std::ostringstream big;
  big << Tensor::zeros({100});
  CHECK(big.str().find("...") != std::string::npos);
  Tensor x = Tensor::ones({2});
  x.set_requires_grad();
  std::ostringstream rec;
  rec << gg::mul(x, 2.0);
  CHECK(rec.str().find("grad_fn=mul_scalar") != std::string::npos);
}

TEST_CASE("tensor: devices parse and CUDA is a clear error when unavailable") {
  CHECK(Device::parse("cpu") == Device::cpu());
  CHECK(Device::parse("cuda:1") == Device::cuda(1));
  CHECK_THROWS_WITH_AS(Device::parse("gpu"), doctest::Contains("unknown device 'gpu'"), std::invalid_argument);
  // This machine has no GPU: allocating there must fail loudly, never fall back to the CPU.
  CHECK_THROWS_WITH_AS(Tensor::zeros({2}, {DType::f32, Device::cuda()}), doctest::Contains("cuda:0"), std::runtime_error);
}

TEST_CASE("philox: known-answer vectors of Philox4x32-10 (Random123)") {
  using philox::Block;
  const Block zero = philox::philox4x32_10(Block{{0, 0, 0, 0}}, 0, 0);
  CHECK(zero.v[0] == 0x6627e8d5u);
  CHECK(zero.v[1] == 0xe169c58du);
  CHECK(zero.v[2] == 0xbc57ac4cu);
  CHECK(zero.v[3] == 0x9b00dbd8u);
  const Block ones = philox::philox4x32_10(Block{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu, 0xffffffffu);
  CHECK(ones.v[0] == 0x408f276du);
  CHECK(ones.v[1] == 0x41c83b0eu);
  CHECK(ones.v[2] == 0xa20bc7c6u);
  CHECK(ones.v[3] == 0x6d5451fdu);
  const Block pi = philox::philox4x32_10(Block{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}}, 0xa4093822u, 0x299f31d0u);
  CHECK(pi.v[0] == 0xd16cfe09u);
  CHECK(pi.v[1] == 0x94fdccebu);
  CHECK(pi.v[2] == 0x5001e420u);
  CHECK(pi.v[3] == 0x24126ea1u);
}

TEST_CASE("philox: streams follow the documented layout and statistics") {
  Generator gen(7, 3);
  const Tensor u = Tensor::rand({10}, gen);
  CHECK(gen.offset() == 3 + 3);  // ceil(10 / 4) blocks
  const auto uv = u.to_vector<float>();
  for (std::uint64_t n = 0; n < 10; ++n)
    CHECK(uv[n] == static_cast<float>(philox::uniform(philox::word(7, 3, n))));
  Generator big(11);
  const auto nv = Tensor::randn({200001}, big, {DType::f64}).to_vector<double>();
  double m = 0, m2 = 0;
  for (double z : nv) m += z / static_cast<double>(nv.size());
  for (double z : nv) m2 += (z - m) * (z - m) / static_cast<double>(nv.size());
  CHECK(std::abs(m) < 0.01);
  CHECK(m2 == doctest::Approx(1.0).epsilon(0.01));
  Generator a(5), b(5), c(6);
  CHECK(Tensor::randn({64}, a).to_vector<float>() == Tensor::randn({64}, b).to_vector<float>());
  CHECK(Tensor::randn({64}, a).to_vector<float>() != Tensor::randn({64}, c).to_vector<float>());
  const auto ur = Tensor::rand({100000}, a, {}, -2, 3).to_vector<float>();
  CHECK(*std::min_element(ur.begin(), ur.end()) >= -2.f);
  CHECK(*std::max_element(ur.begin(), ur.end()) < 3.f);
}

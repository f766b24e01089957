// Every op on CUDA against the same op on the CPU: the rows of the op table (tests/op_table.h),
// forward values and gradients through autograd, in f32 and f64, within the row's tolerance class
// (documented in tests/op_table.h), one SUBCASE each; rows whose forward is one IEEE operation per
// element are also compared bit for bit. Skipped (visibly) without a GPU.
#include "tests/op_table.h"
#include "tests/test_cuda_helpers.h"

using namespace gg;
using namespace gg::op_table;
using cuda_testing::gpu;

namespace {

void check_group(Group group) {
  for (const OpCase& row : op_cases()) {
    if (row.group != group || !row.cuda) continue;
    SUBCASE(row.name.c_str()) {
      for (DType dt : row.dtypes) {
        CAPTURE(dtype_name(dt));
        const Inputs inputs = make_inputs(row, dt);
        Tensor out;
        {
          NoGrad no_grad;
          out = row.op(inputs);
        }
        const Tolerance tol = cuda_tolerance(row.tol, dt, summed_terms(inputs, out));
        cuda_testing::check_against_cpu(row.op, inputs, tol.atol, tol.rtol);
        if (row.exact_forward) {
          INFO("forward, bit for bit");
          Inputs on_gpu;
          for (const Tensor& x : inputs) on_gpu.push_back(x.to(gpu()));
          gg::testing::check_close(row.op(on_gpu), out, 0, 0);
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("cuda: tensors round-trip through the device, fill and convert dtypes exactly") {
  GG_REQUIRE_CUDA();
  for (DType dt : {DType::f32, DType::f64}) {
    const Tensor x = gg::testing::random_f64({3, 5, 7}, 1).to(dt);
    const Tensor back = x.to(gpu()).to(Device::cpu());
    cuda_testing::check_identical<double>(back.to(DType::f64), x.to(DType::f64));
    cuda_testing::check_identical<double>(Tensor::full({4, 3}, 2.5, {dt, gpu()}).to(DType::f64),
                                          Tensor::full({4, 3}, 2.5, {DType::f64}));
    const Tensor converted = x.to(gpu()).to(dt == DType::f32 ? DType::f64 : DType::f32);
    gg::testing::check_close(converted, x.to(converted.dtype()), 0, 0);
    CHECK(Tensor::zeros({0, 3}, {dt, gpu()}).numel() == 0);
  }
}

TEST_CASE("cuda: elementwise ops of the op table match the CPU, broadcasting and gradients too") {
  GG_REQUIRE_CUDA();
  check_group(Group::elementwise);
}

TEST_CASE("cuda: reductions, broadcasts and shape ops of the op table match the CPU, gradients too") {
  GG_REQUIRE_CUDA();
  check_group(Group::reduction_shape);
}

TEST_CASE("cuda: matmul, linear and conv2d (cuBLAS, cuDNN) of the op table match the CPU, gradients too") {
  GG_REQUIRE_CUDA();
  check_group(Group::linalg_conv);
}

TEST_CASE("cuda: pooling, upsampling, softmax, losses, batch norm and dropout of the op table match the CPU, gradients too") {
  GG_REQUIRE_CUDA();
  check_group(Group::nn);
}

#include "distributed/nccl_communicator.h"

#include <fmt/core.h>

#include <stdexcept>

#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_backend_api.h"

namespace gg::distributed {

namespace {

void check(ncclResult_t result, const char* call) {
  if (result != ncclSuccess) throw std::runtime_error(fmt::format("{} failed: {}", call, ncclGetErrorString(result)));
}

ncclDataType_t nccl_type(DType t) { return t == DType::f32 ? ncclFloat32 : ncclFloat64; }

cudaStream_t stream_of(Device device) { return static_cast<CudaBackend&>(cuda_backend(device.index)).stream(); }

// ncclGroupStart / ncclGroupEnd around the calls `body` queues.
template <typename F> void in_group(F body) {
  check(ncclGroupStart(), "ncclGroupStart");
  try {
    body();
  } catch (...) {
    ncclGroupEnd();
    throw;
  }
  check(ncclGroupEnd(), "ncclGroupEnd");
}

}  // namespace

NcclCommunicator::NcclCommunicator(std::unique_ptr<MpiCommunicator> mpi, Device device) : mpi_(std::move(mpi)), device_(device) {
  if (device_.is_cpu()) throw std::invalid_argument("NCCL needs a CUDA device, not the CPU");
  ncclUniqueId id{};
  if (mpi_->is_root()) check(ncclGetUniqueId(&id), "ncclGetUniqueId");
  const std::string bytes = mpi_->broadcast(std::string(reinterpret_cast<const char*>(&id), sizeof id), 0);
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(&id));
  cuda_backend(device_.index);  // selects the device and creates its stream before NCCL binds to it
  check(ncclCommInitRank(&comm_, mpi_->size(), id, mpi_->rank()), "ncclCommInitRank");
}

NcclCommunicator::~NcclCommunicator() {
  if (comm_ != nullptr) ncclCommDestroy(comm_);
}

std::string NcclCommunicator::describe() const { return fmt::format("NCCL, {} ranks, {}", size(), device_.str()); }

void NcclCommunicator::check_tensor(const Tensor& t) const {
  if (t.device() != device_)
    throw std::invalid_argument(fmt::format("NCCL: a tensor on {} but this rank's device is {}", t.device().str(), device_.str()));
}

void NcclCommunicator::all_reduce(std::span<const Tensor> tensors, ReduceOp op) {
  const ncclRedOp_t nccl_op = op == ReduceOp::mean ? ncclAvg : op == ReduceOp::max ? ncclMax : ncclSum;
  in_group([&] {
    for (const Tensor& t : tensors) {
      check_tensor(t);
      check(ncclAllReduce(t.raw_data(), t.raw_data(), static_cast<std::size_t>(t.numel()), nccl_type(t.dtype()), nccl_op,
                          comm_, stream_of(device_)),
            "ncclAllReduce");
    }
  });
}

void NcclCommunicator::broadcast(std::span<const Tensor> tensors, int root) {
  in_group([&] {
    for (const Tensor& t : tensors) {
      check_tensor(t);
      check(ncclBroadcast(t.raw_data(), t.raw_data(), static_cast<std::size_t>(t.numel()), nccl_type(t.dtype()), root, comm_,
                          stream_of(device_)),
            "ncclBroadcast");
    }
  });
}

void NcclCommunicator::abort(int code) {
  if (comm_ != nullptr) ncclCommAbort(comm_);
  comm_ = nullptr;
  mpi_->abort(code);
}

}  // namespace gg::distributed

#pragma once
// The Communicator of a GPU job: one GPU per rank (the rank's index among the ranks of its host),
// CUDA tensors reduced and broadcast by NCCL on that device's stream, in one NCCL group per call
// (NCCL fuses the group's transfers); host values, text and barriers over the MPI communicator
// that also sets NCCL up (rank 0's ncclUniqueId is broadcast over MPI, as NCCL's examples do).
#include <nccl.h>

#include <memory>

#include "distributed/mpi_communicator.h"

namespace gg::distributed {

class NcclCommunicator final : public Communicator {
 public:
  // Takes over `mpi`; `device` is this rank's GPU.
  NcclCommunicator(std::unique_ptr<MpiCommunicator> mpi, Device device);
  ~NcclCommunicator() override;
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int rank() const override { return mpi_->rank(); }
  int size() const override { return mpi_->size(); }
  std::string describe() const override;
  // CUDA tensors of this rank's device only.
  void all_reduce(std::span<const Tensor> tensors, ReduceOp op) override;
  void all_reduce(std::span<double> values, ReduceOp op) override { mpi_->all_reduce(values, op); }
  void broadcast(std::span<const Tensor> tensors, int root) override;
  std::string broadcast(const std::string& text, int root) override { return mpi_->broadcast(text, root); }
  std::vector<std::string> gather(const std::string& text, int root) override { return mpi_->gather(text, root); }
  void barrier() override { mpi_->barrier(); }
  [[noreturn]] void abort(int code) override;

 private:
  void check_tensor(const Tensor& t) const;

  std::unique_ptr<MpiCommunicator> mpi_;
  Device device_;
  ncclComm_t comm_ = nullptr;
};

}  // namespace gg::distributed

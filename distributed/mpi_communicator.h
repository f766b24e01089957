#pragma once
// The Communicator over MPI (Debian's OpenMPI), for jobs started by `mpirun -np N glitchgan ...`:
// the ranks are MPI_COMM_WORLD's. CPU tensors are reduced in place; CUDA tensors go through host
// memory (correct but slow: a GPU job uses NcclCommunicator, which keeps MPI for host values).
#include <mpi.h>

#include "engine/communicator.h"

namespace gg::distributed {

class MpiCommunicator final : public Communicator {
 public:
  // Initialises MPI (once per process; finalised when the last communicator goes) and duplicates
  // MPI_COMM_WORLD, so glitchgan's messages never meet another library's.
  MpiCommunicator();
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string describe() const override;
  void all_reduce(std::span<const Tensor> tensors, ReduceOp op) override;
  void all_reduce(std::span<double> values, ReduceOp op) override;
  void broadcast(std::span<const Tensor> tensors, int root) override;
  std::string broadcast(const std::string& text, int root) override;
  std::vector<std::string> gather(const std::string& text, int root) override;
  void barrier() override;
  [[noreturn]] void abort(int code) override;

  // Ranks on this host (OpenMPI's MPI_COMM_TYPE_SHARED split): for one GPU and a share of the cores each.
  int local_rank() const { return local_rank_; }
  int local_size() const { return local_size_; }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
};

}  // namespace gg::distributed

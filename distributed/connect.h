#pragma once
// Joining the job this process belongs to. `glitchgan CMD` alone is a job of one process;
// `mpirun -np N glitchgan CMD` starts N processes that the launcher tells their rank and count
// through the environment, and each joins the others over MPI (and NCCL for CUDA).
#include <memory>

#include "engine/communicator.h"

namespace gg::distributed {

// What the launcher announced: the job's rank count and this host's (OpenMPI's OMPI_COMM_WORLD_SIZE
// and OMPI_COMM_WORLD_LOCAL_SIZE, or PMI's / PMIx's from srun); 1 and 1 without a launcher.
struct LaunchInfo {
  int ranks = 1;
  int local_ranks = 1;
};
LaunchInfo launch_info();

struct Job {
  std::unique_ptr<Communicator> communicator;
  Device device;  // this rank's device
};

// The communicator of this process' job, and its device: the CPU, or for CUDA the GPU at the
// requested index plus the rank's index among its host's ranks (`--device cuda` on a node of 8
// GPUs with 8 ranks: cuda:0 ... cuda:7). One process: SingleProcess, no MPI. Several: MPI, with
// NCCL for CUDA tensors. Throws std::runtime_error when the job has several ranks but this build
// has no MPI (or no NCCL for a CUDA job).
Job join_job(Device requested);

}  // namespace gg::distributed

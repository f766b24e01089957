#include "distributed/connect.h"

#include <fmt/core.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#if GG_WITH_MPI
#include "distributed/mpi_communicator.h"
#endif
#if GG_WITH_NCCL
#include "distributed/nccl_communicator.h"
#endif

namespace gg::distributed {

namespace {

// The first of the variables that is set, as a positive count; 0 when none is.
int env_count(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = std::getenv(name);
    if (value == nullptr) continue;
    try {
      const int n = std::stoi(value);
      if (n >= 1) return n;
    } catch (const std::exception&) {
    }
    throw std::runtime_error(fmt::format("the MPI launcher's {}={} is not a positive count", name, value));
  }
  return 0;
}

}  // namespace

LaunchInfo launch_info() {
  LaunchInfo info;
  if (const int n = env_count({"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"}); n > 0) info.ranks = n;
  if (const int n = env_count({"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"}); n > 0)
    info.local_ranks = n;
  else
    info.local_ranks = info.ranks;  // no word on the hosts: assume one
  return info;
}

Job join_job(Device requested) {
  const LaunchInfo launch = launch_info();
  if (launch.ranks == 1) return {std::make_unique<SingleProcess>(), requested};
#if GG_WITH_MPI
  auto mpi = std::make_unique<MpiCommunicator>();
  if (requested.is_cpu()) return {std::move(mpi), requested};
  const Device device = Device::cuda(requested.index + mpi->local_rank());
#if GG_WITH_NCCL
  return {std::make_unique<NcclCommunicator>(std::move(mpi), device), device};
#else
  throw std::runtime_error(fmt::format("{} ranks on CUDA devices (this one on {}) need NCCL, and this glitchgan was "
                                       "built without it",
                                       launch.ranks, device.str()));
#endif
#else
  throw std::runtime_error(fmt::format("the launcher started {} ranks, but this glitchgan was built without MPI "
                                       "(install libopenmpi-dev and configure with -DGG_MPI=ON)",
                                       launch.ranks));
#endif
}

}  // namespace gg::distributed

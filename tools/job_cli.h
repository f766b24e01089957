#pragma once
// Running a command as one rank of a job (`mpirun -np N glitchgan CMD`, or one process alone):
// join the job, run, and when one rank fails end them all, since the others would wait for it in
// their next collective for ever.
#include <filesystem>
#include <functional>
#include <string>

#include "distributed/connect.h"

namespace gg::tools {

// Joins the job for the device of `--device` (checked first), runs `body`, and leaves the job.
// An error on any rank of several is printed with its rank and ends the whole job with status 1;
// an interrupt (nets::Interrupted, which every rank raises at the same round) ends it normally.
void run_as_job(const std::string& device_flag, const std::function<void(distributed::Job&)>& body);

// Rank 0 runs `load` first (it may decode the data and write the cache), the others after it
// (reading the cache): one decode per job, and no two ranks writing one cache file.
template <typename T> T load_once_per_job(Communicator& communicator, const std::function<T()>& load) {
  if (communicator.is_root()) {
    T loaded = load();
    communicator.barrier();
    return loaded;
  }
  communicator.barrier();
  return load();
}

}  // namespace gg::tools

#include "tools/job_cli.h"

#include <cstdio>
#include <exception>

#include "nets/stop_signal.h"
#include "tools/progan_cli.h"

namespace gg::tools {

void run_as_job(const std::string& device_flag, const std::function<void(distributed::Job&)>& body) {
  distributed::Job job = distributed::join_job(checked_device(device_flag));
  Communicator& communicator = *job.communicator;
  if (communicator.size() == 1) {
    body(job);
    return;
  }
  try {
    body(job);
  } catch (const nets::Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "glitchgan: error on rank %d of %d: %s\n", communicator.rank(), communicator.size(), e.what());
    std::fflush(stderr);
    communicator.abort(1);
  }
}

}  // namespace gg::tools

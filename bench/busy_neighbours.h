#pragma once
// GG_BENCH_BUSY=N starts N processes that only spin beside the benchmarks, to measure throughput
// on a shared machine, and the benchmarks then take the thread count glitchgan would take there
// (engine/cpu_threads.h) unless OMP_NUM_THREADS is set. The neighbours die with the benchmark.
#include <omp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "engine/cpu_threads.h"

namespace gg::bench {

class BusyNeighbours {
 public:
  explicit BusyNeighbours(int count) {
    for (int i = 0; i < count; ++i) {
      const pid_t pid = fork();
      if (pid == 0) spin_until_killed();
      if (pid > 0) pids_.push_back(pid);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the scheduler see them run
  }
  ~BusyNeighbours() {
    for (pid_t pid : pids_) kill(pid, SIGKILL);
    for (pid_t pid : pids_) waitpid(pid, nullptr, 0);
  }
  BusyNeighbours(const BusyNeighbours&) = delete;
  BusyNeighbours& operator=(const BusyNeighbours&) = delete;
  int count() const { return static_cast<int>(pids_.size()); }

  // From GG_BENCH_BUSY (0 when unset).
  static int requested() {
    const char* value = std::getenv("GG_BENCH_BUSY");
    return value == nullptr ? 0 : std::max(0, std::atoi(value));
  }

 private:
  [[noreturn]] static void spin_until_killed() {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // also when the benchmark itself is killed
    volatile std::uint64_t counter = 0;
    for (;;) counter = counter + 1;
  }
  std::vector<pid_t> pids_;
};

// The thread count for the benchmarks: OMP_NUM_THREADS when set, otherwise glitchgan's choice
// for the load at this moment. Returns the count the benchmarks run with.
inline int use_threads_for_load() {
  if (std::getenv("OMP_NUM_THREADS") == nullptr) omp_set_num_threads(choose_threads_for_load().threads);
  return omp_get_max_threads();
}

}  // namespace gg::bench

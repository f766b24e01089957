#pragma once
// How many OpenMP threads a run takes on a CPU that other processes may share. OpenMP's threads
// meet at a barrier after every parallel loop; when another busy process holds one of the cores,
// the thread that lands there is descheduled for whole time slices while the others wait, and two
// 2-thread processes on 2 cores slowed each other 7-20x. A run that starts beside busy processes
// therefore leaves their cores to them. The count is chosen once, at the start, so a run keeps one
// thread count throughout (runs are bit-identical for a fixed count; OMP_NUM_THREADS fixes it).
#include <string_view>

namespace gg {

// One OpenMP thread per core that no other runnable task holds, and at least one.
int threads_for_load(int cores, int busy_elsewhere);

// The running tasks of /proc/loadavg's fourth field ("0.52 0.58 0.59 3/417 12345" -> 3; the count
// includes the task that reads it). Throws std::invalid_argument on text of another form.
int parse_loadavg_running(std::string_view loadavg);

struct ThreadChoice {
  int threads = 1;         // OpenMP threads to use
  int cores = 1;           // processors this process may run on (its affinity mask)
  int busy_elsewhere = 0;  // runnable tasks of other processes when it was chosen
};

// The cores of this process' affinity mask and the runnable tasks beside it: the median of a few
// reads of /proc/loadavg about 20 ms apart (one read is one instant of the scheduler). Call it while
// this process runs one thread, before any OpenMP parallel region. Without /proc, it assumes an
// idle machine.
ThreadChoice choose_threads_for_load();

// One rank of `local_ranks` on this host (an MPI job): its cores are those of its affinity mask
// (a launcher that binds each rank to a core leaves it one), but no more than its share of the
// host's, so unbound ranks do not take every core each. At least one.
int threads_per_rank(int affinity_cores, int host_cores, int local_ranks);
ThreadChoice choose_threads_for_rank(int local_ranks);

}  // namespace gg

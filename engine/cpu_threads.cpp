#include "engine/cpu_threads.h"

#include <sched.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>

namespace gg {

int threads_for_load(int cores, int busy_elsewhere) { return std::max(1, cores - std::max(0, busy_elsewhere)); }

int parse_loadavg_running(std::string_view loadavg) {
  // Skip the three load averages; the fourth field is "running/total".
  std::size_t pos = 0;
  for (int field = 0; field < 3; ++field) {
    pos = loadavg.find(' ', pos);
    if (pos == std::string_view::npos) break;
    ++pos;
  }
  const std::size_t slash = pos == std::string_view::npos ? pos : loadavg.find('/', pos);
  int running = 0;
  if (slash != std::string_view::npos) {
    const auto [end, error] = std::from_chars(loadavg.data() + pos, loadavg.data() + slash, running);
    if (error == std::errc() && end == loadavg.data() + slash && running >= 1) return running;
  }
  throw std::invalid_argument("not the form of /proc/loadavg (\"L1 L5 L15 running/total last_pid\"): " +
                              std::string(loadavg.substr(0, 80)));
}

namespace {

int affinity_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return std::max(1u, std::thread::hardware_concurrency());
  return std::max(1, CPU_COUNT(&set));
}

}  // namespace

ThreadChoice choose_threads_for_load() {
  ThreadChoice choice;
  choice.cores = affinity_cores();
  constexpr int kReads = 5;
  std::array<int, kReads> others{};
  for (int i = 0; i < kReads; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ifstream file("/proc/loadavg");
    const std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (!file && text.empty()) return {.threads = choice.cores, .cores = choice.cores, .busy_elsewhere = 0};
    others[static_cast<std::size_t>(i)] = parse_loadavg_running(text) - 1;  // less the reader, this thread
  }
  std::nth_element(others.begin(), others.begin() + kReads / 2, others.end());
  choice.busy_elsewhere = others[kReads / 2];
  choice.threads = threads_for_load(choice.cores, choice.busy_elsewhere);
  return choice;
}

int threads_per_rank(int affinity_cores, int host_cores, int local_ranks) {
  return std::max(1, std::min(affinity_cores, host_cores / std::max(1, local_ranks)));
}

ThreadChoice choose_threads_for_rank(int local_ranks) {
  ThreadChoice choice;
  choice.cores = affinity_cores();
  choice.threads = threads_per_rank(choice.cores, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())), local_ranks);
  return choice;
}

}  // namespace gg

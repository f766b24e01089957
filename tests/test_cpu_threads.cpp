// The thread count a run takes beside other busy processes (engine/cpu_threads.h).
#include <doctest/doctest.h>

#include <stdexcept>

#include "engine/cpu_threads.h"

using namespace gg;

TEST_CASE("cpu threads: one per core that other runnable tasks leave free, at least one") {
  CHECK(threads_for_load(2, 0) == 2);
  CHECK(threads_for_load(2, 1) == 1);
  CHECK(threads_for_load(2, 2) == 1);
  CHECK(threads_for_load(2, 7) == 1);
  CHECK(threads_for_load(16, 3) == 13);
  CHECK(threads_for_load(1, 0) == 1);
  CHECK(threads_for_load(4, -1) == 4);  // a count below zero is no load, never more threads than cores
}

TEST_CASE("cpu threads: the running tasks are read from /proc/loadavg's fourth field") {
  CHECK(parse_loadavg_running("0.52 0.58 0.59 3/417 12345\n") == 3);
  CHECK(parse_loadavg_running("12.00 9.31 4.02 1/90 7") == 1);
  CHECK(parse_loadavg_running("0.00 0.00 0.00 128/2048 99999\n") == 128);
  CHECK_THROWS_AS(parse_loadavg_running(""), std::invalid_argument);
  CHECK_THROWS_AS(parse_loadavg_running("0.52 0.58 0.59"), std::invalid_argument);
  CHECK_THROWS_AS(parse_loadavg_running("0.52 0.58 0.59 x/417 1"), std::invalid_argument);
  CHECK_THROWS_AS(parse_loadavg_running("0.52 0.58 0.59 0/417 1"), std::invalid_argument);  // the reader runs
  CHECK_THROWS_AS(parse_loadavg_running("0.52 0.58 0.59 3 417 1"), std::invalid_argument);
}

TEST_CASE("cpu threads: the choice on this machine stays within its cores") {
  const ThreadChoice choice = choose_threads_for_load();
  CHECK(choice.cores >= 1);
  CHECK(choice.busy_elsewhere >= 0);
  CHECK(choice.threads == threads_for_load(choice.cores, choice.busy_elsewhere));
}

#pragma once
// Tests of the real Gravity Spy samples in ../shared: skipped visibly where the folder is absent.
#include <doctest/doctest.h>

#include <cstdio>

namespace gg::testing {

// Whether the real Gravity Spy samples (GG_SHARED_DIR/data, ../shared beside the checkout) are
// there. A test that reads them starts with GG_REQUIRE_SHARED_DATA(): on a bare clone (or a GPU
// machine given only the repository) it prints GG_SKIP_NO_SHARED_DATA and returns, and ctest
// reports it skipped; with GG_REQUIRE_SHARED_DATA=1 in the environment (CI sets it) a missing
// folder fails the test instead, so CI never skips them unseen.
bool shared_data_present();
bool shared_data_required();

}  // namespace gg::testing

#define GG_REQUIRE_SHARED_DATA()                                                                         \
  do {                                                                                                   \
    if (!::gg::testing::shared_data_present()) {                                                         \
      REQUIRE_MESSAGE(!::gg::testing::shared_data_required(), "GG_REQUIRE_SHARED_DATA=1 but " GG_SHARED_DIR \
                      "/data is missing");                                                               \
      std::printf("GG_SKIP_NO_SHARED_DATA: %s/data is absent, so this test is skipped\n", GG_SHARED_DIR);  \
      std::fflush(stdout);                                                                               \
      return;                                                                                            \
    }                                                                                                    \
  } while (false)

// glitchgan: one binary, one subcommand per job. Errors are printed as one clear line.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "distributed/connect.h"
#include "engine/cpu_threads.h"
#include "engine/profiler.h"
#include "kernels/cuda/cuda_settings.h"
#include "nets/stop_signal.h"
#include "tools/commands.h"

namespace {

// OpenMP's settings for a run, chosen before libgomp reads them (as it loads, before main), so
// glitchgan sets them in its environment and starts itself again; a user's own settings are kept.
//
// Spin: GNU OpenMP spins up to 300,000 times at every barrier before it sleeps (when neither
// OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set). On a machine shared with another busy process a
// thread then spins while the one it waits for is descheduled: beside one busy process a ProGAN
// iteration (bench_progan_step, 32x32) took 2.5x its idle time, with a 10,000 spin 2.0x, and idle
// it is no slower.
// Threads: without OMP_NUM_THREADS, one per core that other runnable tasks leave free
// (engine/cpu_threads.h), said on stderr when that is fewer than the cores; in a job of several
// ranks (mpirun), each rank's share of its host's cores.
void configure_openmp(char** argv) {
  bool changed = false;
  if (std::getenv("OMP_WAIT_POLICY") == nullptr && std::getenv("GOMP_SPINCOUNT") == nullptr) {
    changed |= setenv("GOMP_SPINCOUNT", "10000", 0) == 0;
  }
  if (std::getenv("OMP_NUM_THREADS") == nullptr) {
    gg::distributed::LaunchInfo launch;
    try {
      launch = gg::distributed::launch_info();
    } catch (const std::exception&) {
      // A launcher's variable that does not parse: the command that joins the job says so.
    }
    gg::ThreadChoice choice;
    if (launch.ranks > 1) {
      choice = gg::choose_threads_for_rank(launch.local_ranks);
    } else {
      choice = gg::choose_threads_for_load();
      if (choice.threads < choice.cores) {
        std::fprintf(stderr,
                     "glitchgan: %d OpenMP thread%s on %d cores: %d other runnable task%s at the start "
                     "(OMP_NUM_THREADS sets the count)\n",
                     choice.threads, choice.threads == 1 ? "" : "s", choice.cores, choice.busy_elsewhere,
                     choice.busy_elsewhere == 1 ? "" : "s");
      }
    }
    changed |= setenv("OMP_NUM_THREADS", std::to_string(choice.threads).c_str(), 0) == 0;
  }
  if (changed) execv("/proc/self/exe", argv);  // returns only if it failed: then go on with the defaults
}

}  // namespace

int main(int argc, char** argv) {
  configure_openmp(argv);
  CLI::App app{"glitchgan: a C++/CUDA deep-learning engine that trains ProGAN and a CNN classifier "
               "on gravitational-wave glitch spectrograms"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "glitchgan " GG_VERSION);
  // Engine-wide switches, accepted before or after the subcommand.
  app.fallthrough();
  app.add_flag("--tf32", gg::cuda_settings().allow_tf32,
               "CUDA: allow TF32 tensor cores in f32 GEMMs and convolutions (faster; 10-bit mantissa products)");
  app.add_flag_callback(
      "--fastest-conv", [] { gg::cuda_settings().deterministic = false; },
      "CUDA: time every cuDNN convolution algorithm and keep the fastest (runs are then not bit-identical)");
  app.add_flag_callback(
      "--profile", [] { gg::KernelProfiler::set_enabled(true); },
      "print a table of the time spent in each CPU kernel when the command ends");
  gg::tools::add_demo_command(app);
  gg::tools::add_bench_compare_command(app);
  gg::tools::add_data_info_command(app);
  gg::tools::add_synth_command(app);
  gg::tools::add_synth_check_command(app);
  gg::tools::add_train_gan_command(app);
  gg::tools::add_sample_command(app);
  gg::tools::add_eval_gan_command(app);
  gg::tools::add_augment_command(app);
  gg::tools::add_experiment_command(app);
  gg::tools::add_train_classifier_command(app);
  gg::tools::add_eval_classifier_command(app);
  gg::tools::add_anomalies_command(app);
  gg::tools::add_robustness_command(app);
  try {
    app.parse(argc, argv);
    if (gg::KernelProfiler::enabled()) std::fputs(gg::KernelProfiler::table().c_str(), stdout);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const gg::nets::Interrupted& e) {
    std::fprintf(stderr, "glitchgan: %s\n", e.what());
    return 128 + e.signal();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "glitchgan: error: %s\n", e.what());
    return 1;
  }
  return 0;
}

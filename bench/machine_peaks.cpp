#include "bench/machine_peaks.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "engine/posix_file.h"

namespace gg::bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRepeats = 5;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// /proc/cpuinfo's model name and the widest vector ISA its flags list: virtual machines often
// name only "Intel(R) Xeon(R) Processor", and the ISA tells such CPUs apart where it matters.
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model = "unknown CPU", isa = "sse";
  auto value = [&] {
    const std::size_t colon = line.find(':');
    return colon == std::string::npos ? std::string() : line.substr(std::min(line.size(), colon + 2));
  };
  bool have_model = false, have_flags = false;
  while (std::getline(in, line) && !(have_model && have_flags)) {
    if (!have_model && line.rfind("model name", 0) == 0) {
      model = value();
      have_model = true;
    } else if (!have_flags && line.rfind("flags", 0) == 0) {
      const std::string flags = " " + value() + " ";
      isa = flags.find(" avx512f ") != std::string::npos ? "avx512f"
            : flags.find(" avx2 ") != std::string::npos  ? "avx2"
                                                          : "sse";
      have_flags = true;
    }
  }
  return model + " (" + isa + ")";
}

std::filesystem::path cache_file() {
  if (const char* f = std::getenv("GG_PEAKS_CACHE")) return f;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "glitchgan/peaks.json";
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache/glitchgan/peaks.json";
  return {};
}

// The cached peaks when they are of this CPU and thread count.
bool read_cache(const std::filesystem::path& file, MachinePeaks& p) {
  std::ifstream in(file);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("cpu", "") != p.cpu || j.value("threads", 0) != p.threads) return false;
  p.sgemm_gflops = j.value("sgemm_gflops", 0.0);
  p.triad_gbps = j.value("triad_gbps", 0.0);
  return p.sgemm_gflops > 0 && p.triad_gbps > 0;
}

double env_number(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::atof(v) : 0;
}

MachinePeaks load_or_measure() {
  MachinePeaks p;
  p.cpu = cpu_model();
  p.threads = omp_get_max_threads();
  const std::filesystem::path file = cache_file();
  if (!file.empty() && read_cache(file, p)) {
    p.source = "cache " + file.string();
  } else {
    p.sgemm_gflops = measure_sgemm_gflops();
    p.triad_gbps = measure_triad_gbps();
    p.source = "measured";
    if (!file.empty()) {
      try {
        std::filesystem::create_directories(file.parent_path());
        const nlohmann::json j = {{"cpu", p.cpu}, {"threads", p.threads}, {"sgemm_gflops", p.sgemm_gflops},
                                  {"triad_gbps", p.triad_gbps}};
        write_text_file_atomic(file, j.dump(2) + "\n");
        p.source += ", cached in " + file.string();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "machine peaks: not cached (%s)\n", e.what());
      }
    }
  }
  const double gflops = env_number("GG_PEAK_GFLOPS"), gbps = env_number("GG_PEAK_GBPS");
  if (gflops > 0) p.sgemm_gflops = gflops;
  if (gbps > 0) p.triad_gbps = gbps;
  if (gflops > 0 || gbps > 0) p.source += " + env";
  return p;
}

}  // namespace

double measure_sgemm_gflops() {
  const int n = 1024;
  std::vector<float> a(static_cast<std::size_t>(n) * n, 0.5f), b(a.size(), 0.25f), c(a.size());
  auto run = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n);
  };
  run();  // warm-up: threads started, pages touched
  double best = 1e30;
  for (int r = 0; r < kRepeats; ++r) {
    const auto start = Clock::now();
    run();
    best = std::min(best, seconds_since(start));
  }
  return 2.0 * n * n * static_cast<double>(n) / best / 1e9;
}

double measure_triad_gbps() {
  // 3 x 128 MiB, far beyond any cache; counted as STREAM does: 12 bytes per element.
  const std::int64_t n = std::int64_t{1} << 25;
  // Uninitialised, so that the parallel first touch below places each page with the thread that
  // will use it.
  const std::unique_ptr<float[]> a(new float[n]), b(new float[n]), c(new float[n]);
  const float s = 3.f;
  auto triad = [&] {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
  };
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    a[i] = 0.f;
    b[i] = 1.f;
    c[i] = 2.f;
  }
  triad();
  double best = 1e30;
  for (int r = 0; r < kRepeats; ++r) {
    const auto start = Clock::now();
    triad();
    best = std::min(best, seconds_since(start));
  }
  return 3.0 * sizeof(float) * static_cast<double>(n) / best / 1e9;
}

const MachinePeaks& machine_peaks() {
  static const MachinePeaks peaks = [] {
    MachinePeaks p = load_or_measure();
    std::fprintf(stderr, "machine peaks: sgemm %.1f GFLOP/s, triad %.1f GB/s on %s, %d threads (%s)\n", p.sgemm_gflops,
                 p.triad_gbps, p.cpu.c_str(), p.threads, p.source.c_str());
    return p;
  }();
  return peaks;
}

}  // namespace gg::bench

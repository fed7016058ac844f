// The soak run: many iterations of the seed scenario (btrfs_eb.seed_race) in
// one process, with the resident set size sampled as it goes, to show that
// memory stays flat after warm-up (no leak, no cache or pool that grows with
// the number of iterations run). The program judges its own samples: a
// least-squares line through the samples after warm-up, and the growth it
// predicts over that span must stay within --tolerance_kb, else exit 1.
//
//   bazel run -c opt //bench:seed_soak            # 1,000,000 iterations
//   bazel test --config=asan //bench:seed_soak_test   # 20,000, under LSan
//
// Iterations run in Explorer runs of --sample_every iterations each (the
// plan's strategy, seeds offset per run so no two runs repeat a schedule),
// exactly as `faultline run` explores, without minimizing or rendering; the
// RSS is read from /proc/self/statm after each. One Explorer run keeps a set
// of the distinct schedule hashes it saw (8 bytes and a tree node each, the
// report's distinct_schedules): that grows with its iterations by design, so
// --sample_every bounds it and --sample_every=N with --iterations=N measures
// it (BENCHMARKS.md, "Soak").
//
// --leak_bytes_per_iteration keeps that many bytes per iteration reachable
// (a planted leak): seed_soak_detects_growth_test shows the judgment fails
// then.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/explore/report.pb.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"

ABSL_FLAG(std::string, plan, "plans/seed_race_prefix.textproto",
          "the plan whose scenario and rules each iteration runs");
ABSL_FLAG(uint64_t, iterations, 1000000, "iterations in all");
ABSL_FLAG(uint64_t, sample_every, 10000,
          "iterations per Explorer run; RSS is sampled after each");
ABSL_FLAG(uint64_t, warmup, 100000,
          "iterations before the samples that are judged");
ABSL_FLAG(int64_t, tolerance_kb, 2048,
          "largest RSS growth over the judged span (from the fitted line)");
ABSL_FLAG(uint64_t, leak_bytes_per_iteration, 0,
          "plant a leak of this many reachable bytes per iteration");

namespace faultline {
namespace {

// Resident set size in KiB: statm's second field is resident pages.
int64_t ResidentKb() {
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0;
  int64_t resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * (sysconf(_SC_PAGESIZE) / 1024);
}

struct Sample {
  uint64_t iterations;
  int64_t rss_kb;
};

// Slope (KiB per iteration) of the least-squares line through `samples`.
double FittedSlope(const std::vector<Sample>& samples) {
  double mean_x = 0;
  double mean_y = 0;
  for (const Sample& s : samples) {
    mean_x += static_cast<double>(s.iterations);
    mean_y += static_cast<double>(s.rss_kb);
  }
  mean_x /= samples.size();
  mean_y /= samples.size();
  double sxy = 0;
  double sxx = 0;
  for (const Sample& s : samples) {
    const double dx = static_cast<double>(s.iterations) - mean_x;
    sxy += dx * (static_cast<double>(s.rss_kb) - mean_y);
    sxx += dx * dx;
  }
  return sxx > 0 ? sxy / sxx : 0;
}

int Soak() {
  const std::string path = absl::GetFlag(FLAGS_plan);
  const uint64_t total = absl::GetFlag(FLAGS_iterations);
  const uint64_t chunk = absl::GetFlag(FLAGS_sample_every);
  const uint64_t warmup = absl::GetFlag(FLAGS_warmup);
  const int64_t tolerance_kb = absl::GetFlag(FLAGS_tolerance_kb);
  const uint64_t leak = absl::GetFlag(FLAGS_leak_bytes_per_iteration);
  if (chunk == 0 || total < chunk || warmup + 2 * chunk > total) {
    std::fprintf(stderr,
                 "seed_soak: need --sample_every > 0 and at least two samples "
                 "after --warmup within --iterations\n");
    return 2;
  }
  absl::StatusOr<Plan> plan = LoadPlanFile(path);
  if (!plan.ok()) {
    std::fprintf(stderr, "seed_soak: %s\n",
                 std::string(plan.status().message()).c_str());
    return 2;
  }
  std::vector<std::vector<char>> planted;
  std::vector<Sample> samples;
  samples.reserve(total / chunk + 1);
  uint64_t done = 0;
  uint64_t violations = 0;
  const int64_t start_kb = ResidentKb();
  std::printf("%12s %10s\n", "iterations", "rss_kb");
  std::printf("%12d %10lld\n", 0, static_cast<long long>(start_kb));
  for (uint64_t run = 0; done + chunk <= total; ++run) {
    ExplorerOptions options;
    options.iterations = chunk;
    options.seed_offset = run * chunk;
    options.collect_all = true;
    options.minimize = false;
    options.render = false;
    Explorer explorer(*plan, path, options);
    absl::StatusOr<Report> report = explorer.Run();
    if (!report.ok()) {
      std::fprintf(stderr, "seed_soak: %s\n",
                   std::string(report.status().message()).c_str());
      return 2;
    }
    if (report->iterations_run() != chunk) {
      std::fprintf(stderr, "seed_soak: run %llu ran %llu of %llu iterations\n",
                   static_cast<unsigned long long>(run),
                   static_cast<unsigned long long>(report->iterations_run()),
                   static_cast<unsigned long long>(chunk));
      return 2;
    }
    for (const auto& [check, count] : report->violations_by_check()) {
      violations += count;
    }
    if (leak > 0) planted.emplace_back(leak * chunk, 'x');
    done += chunk;
    samples.push_back({done, ResidentKb()});
    std::printf("%12llu %10lld\n", static_cast<unsigned long long>(done),
                static_cast<long long>(samples.back().rss_kb));
    std::fflush(stdout);
  }
  std::vector<Sample> judged;
  for (const Sample& s : samples) {
    if (s.iterations > warmup) judged.push_back(s);
  }
  int64_t low = judged.front().rss_kb;
  int64_t high = low;
  for (const Sample& s : judged) {
    low = std::min(low, s.rss_kb);
    high = std::max(high, s.rss_kb);
  }
  const double slope = FittedSlope(judged);
  const double span =
      static_cast<double>(judged.back().iterations - judged.front().iterations);
  const double growth_kb = slope * span;
  std::printf(
      "iterations %llu (violations %llu); rss at start %lld KiB, after "
      "warm-up (%llu) %lld..%lld KiB; fitted slope %.4f KiB per 1000 "
      "iterations, growth over the judged %.0f iterations %.0f KiB "
      "(tolerance %lld KiB)\n",
      static_cast<unsigned long long>(done),
      static_cast<unsigned long long>(violations),
      static_cast<long long>(start_kb), static_cast<unsigned long long>(warmup),
      static_cast<long long>(low), static_cast<long long>(high), slope * 1000,
      span, growth_kb, static_cast<long long>(tolerance_kb));
  if (growth_kb > static_cast<double>(tolerance_kb)) {
    std::printf("FAIL: resident memory grows after warm-up\n");
    return 1;
  }
  std::printf("PASS: resident memory flat after warm-up\n");
  return 0;
}

}  // namespace
}  // namespace faultline

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return faultline::Soak();
}

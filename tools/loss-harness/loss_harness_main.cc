// loss_harness — FEC resilience sweeps for Moonlight framing vs lumen framing.
//   bazel run //tools/loss-harness:loss_harness -- [--quick] [--frames=N] [--seed=S]
//       [--csv=out.csv] [--svg=out.svg]
// Prints a table; writes CSV and an SVG plot (frame loss vs random packet loss) when asked.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "tools/loss-harness/loss_sim.h"

int main(int argc, char** argv) {
  bool quick = false;
  int frames = -1;
  uint64_t seed = 0;
  bool have_seed = false;
  std::string csv, svg;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (!std::strcmp(a, "--quick")) {
      quick = true;
    } else if (!std::strncmp(a, "--frames=", 9)) {
      frames = std::atoi(a + 9);
    } else if (!std::strncmp(a, "--seed=", 7)) {
      seed = std::strtoull(a + 7, nullptr, 0);
      have_seed = true;
    } else if (!std::strncmp(a, "--csv=", 6)) {
      csv = a + 6;
    } else if (!std::strncmp(a, "--svg=", 6)) {
      svg = a + 6;
    } else {
      std::fprintf(stderr,
                   "usage: loss_harness [--quick] [--frames=N] [--seed=S] [--csv=F] [--svg=F]\n");
      return 2;
    }
  }
  lumen::loss::SweepOptions opt = lumen::loss::DefaultSweep(quick);
  if (frames > 0) opt.frames = frames;
  if (have_seed) opt.seed = seed;
  const auto rows = lumen::loss::RunSweep(opt);
  std::printf("seed=0x%llx frames/point=%d\n", (unsigned long long)opt.seed, opt.frames);
  std::printf("%-12s %-9s %-12s %5s %9s %9s %9s %7s %9s\n", "profile", "framing", "loss", "fec%",
              "frame_loss", "recovered", "no_fec", "bad", "overhead");
  for (const auto& r : rows) {
    std::printf("%-12s %-9s %-12s %5d %8.2f%% %9llu %9llu %7llu %8.1f%%\n", r.profile.c_str(),
                lumen::loss::FramingName(r.framing), r.model.Name().c_str(), r.fec_percent,
                r.frame_loss_rate() * 100, (unsigned long long)r.frames_recovered,
                (unsigned long long)r.frames_no_fec, (unsigned long long)r.frames_bad,
                r.overhead() * 100);
  }
  // Any corrupted delivery is a bug, not a statistic.
  int bad = 0;
  for (const auto& r : rows) bad += int(r.frames_bad);
  if (!csv.empty()) {
    std::ofstream(csv) << lumen::loss::RowsToCsv(rows);
    std::printf("wrote %s\n", csv.c_str());
  }
  if (!svg.empty()) {
    std::ofstream(svg) << lumen::loss::RowsToSvg(rows);
    std::printf("wrote %s\n", svg.c_str());
  }
  if (bad) std::fprintf(stderr, "ERROR: %d frames delivered with wrong contents\n", bad);
  return bad ? 1 : 0;
}

// host/common/process.h — process-wide plumbing every lumen binary shares: stop signals,
// logging setup, and a tiny command-line parser.
//
// Flags: lumen binaries use this small parser (not Abseil flags) so the `lumen` CLI can
// give every subcommand its own flag set without a global registry. Accepted forms:
// `--name=value`, `--name value`, `--flag` (boolean true), `--no-flag`; `--` ends flags.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace lumen::host {

// Installs SIGINT/SIGTERM handlers that set a flag (no SA_RESTART, so blocking calls
// return EINTR) and ignores SIGPIPE. Idempotent.
void InstallStopSignals();
// True once SIGINT or SIGTERM arrived (or RequestStop was called).
bool StopRequested();
void RequestStop();
// The signal that requested the stop (0 if none / RequestStop).
int StopSignal();

// Sets up spdlog's default logger on stderr with `name` in every line. Level from
// $LUMEN_LOG (trace|debug|info|warn|error|off), default info.
void InitLogging(const std::string& name);

class Args {
 public:
  // Parses argv[first..argc).
  Args(int argc, char** argv, int first = 1);
  Args(const std::vector<std::string>& args);

  bool Has(const std::string& name) const;
  std::string Str(const std::string& name, const std::string& def = "") const;
  int64_t Int(const std::string& name, int64_t def) const;
  double Double(const std::string& name, double def) const;
  bool Bool(const std::string& name, bool def = false) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // InvalidArgument naming the first flag that no getter asked about (typos), or one
  // whose value failed to parse.
  absl::Status Check() const;

 private:
  void Parse(const std::vector<std::string>& args);
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  mutable std::set<std::string> used_;
  mutable std::string bad_;
};

}  // namespace lumen::host

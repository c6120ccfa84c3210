// host/common/process.cc — see process.h.
#include "host/common/process.h"

#include <signal.h>
#include <stdlib.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

namespace lumen::host {
namespace {
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

void OnStopSignal(int sig) {
  g_signal.store(sig);
  g_stop.store(true);
}
}  // namespace

void InstallStopSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking calls wake up with EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool StopRequested() { return g_stop.load(std::memory_order_relaxed); }
void RequestStop() { g_stop.store(true); }
int StopSignal() { return g_signal.load(); }

void InitLogging(const std::string& name) {
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%L%$ [%n:%P] %v");
  const char* lvl = getenv("LUMEN_LOG");
  logger->set_level(lvl ? spdlog::level::from_str(lvl) : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

Args::Args(int argc, char** argv, int first) {
  std::vector<std::string> v;
  for (int i = first; i < argc; ++i) v.emplace_back(argv[i]);
  Parse(v);
}

Args::Args(const std::vector<std::string>& args) { Parse(args); }

void Args::Parse(const std::vector<std::string>& args) {
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (flags_done || a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (a == "--") {
        flags_done = true;
        continue;
      }
      positional_.push_back(a);
      continue;
    }
    std::string body = a.substr(2);
    size_t eq = body.find('=');
    if (eq != std::string::npos) {
      values_[body.substr(0, eq)] = body.substr(eq + 1);
    } else if (body.compare(0, 3, "no-") == 0) {
      values_[body.substr(3)] = "false";
    } else if (i + 1 < args.size() && args[i + 1].compare(0, 2, "--") != 0) {
      // `--name value` unless the next token is another flag. Booleans written as
      // `--flag positional` are not supported; write `--flag=true`.
      values_[body] = args[++i];
    } else {
      values_[body] = "true";
    }
  }
}

bool Args::Has(const std::string& name) const {
  used_.insert(name);
  return values_.count(name) != 0;
}

std::string Args::Str(const std::string& name, const std::string& def) const {
  used_.insert(name);
  auto it = values_.find(name);
  return it == values_.end() ? def : it->second;
}

int64_t Args::Int(const std::string& name, int64_t def) const {
  used_.insert(name);
  auto it = values_.find(name);
  if (it == values_.end()) return def;
  int64_t v;
  if (!absl::SimpleAtoi(it->second, &v)) {
    bad_ = absl::StrCat("--", name, " wants an integer, got '", it->second, "'");
    return def;
  }
  return v;
}

double Args::Double(const std::string& name, double def) const {
  used_.insert(name);
  auto it = values_.find(name);
  if (it == values_.end()) return def;
  std::string s = it->second;
  if (!s.empty() && s.back() == '%') s.pop_back();
  double v;
  if (!absl::SimpleAtod(s, &v)) {
    bad_ = absl::StrCat("--", name, " wants a number, got '", it->second, "'");
    return def;
  }
  return v;
}

bool Args::Bool(const std::string& name, bool def) const {
  used_.insert(name);
  auto it = values_.find(name);
  if (it == values_.end()) return def;
  const std::string& s = it->second;
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  bad_ = absl::StrCat("--", name, " wants true/false, got '", s, "'");
  return def;
}

absl::Status Args::Check() const {
  if (!bad_.empty()) return absl::InvalidArgumentError(bad_);
  for (const auto& [k, v] : values_) {
    if (!used_.count(k)) return absl::InvalidArgumentError(absl::StrCat("unknown flag --", k));
  }
  return absl::OkStatus();
}

}  // namespace lumen::host

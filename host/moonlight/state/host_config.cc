#include "host/moonlight/state/host_config.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "host/moonlight/state/atomic_file.h"

namespace lumen::moonlight::state {
namespace {

absl::Status ReadPort(const nlohmann::json& j, const char* key, int* out) {
  if (!j.contains(key)) return absl::OkStatus();
  if (!j[key].is_number_integer()) return absl::InvalidArgumentError(absl::StrCat(key, ": int"));
  int v = j[key].get<int>();
  if (v < 0 || v > 65535) return absl::InvalidArgumentError(absl::StrCat(key, ": 0..65535"));
  *out = v;
  return absl::OkStatus();
}

}  // namespace

int AppIdForTitle(std::string_view title) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (char c : title) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  int id = static_cast<int>(h & 0x7FFFFFFF);
  return id == 0 ? 1 : id;
}

absl::StatusOr<HostConfig> ParseHostConfig(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("config is not a JSON object");
  }
  HostConfig c;
  try {
    if (j.contains("hostname")) c.hostname = j["hostname"].get<std::string>();
    absl::Status s = ReadPort(j, "base_port", &c.base_port);
    if (!s.ok()) return s;
    c.http_port = c.base_port;
    c.https_port = c.base_port - 5;
    c.rtsp_port = c.base_port + 21;
    c.admin_port = c.base_port + 1;
    if (c.base_port == 0) c.http_port = c.https_port = c.rtsp_port = c.admin_port = 0;
    for (auto [key, out] : {std::pair{"http_port", &c.http_port},
                            {"https_port", &c.https_port},
                            {"rtsp_port", &c.rtsp_port},
                            {"admin_port", &c.admin_port}}) {
      s = ReadPort(j, key, out);
      if (!s.ok()) return s;
    }
    if (j.contains("bind_address")) c.bind_address = j["bind_address"].get<std::string>();
    if (j.contains("admin_bind")) c.admin_bind = j["admin_bind"].get<std::string>();
    if (j.contains("codec_mask")) c.codec_mask = j["codec_mask"].get<uint32_t>();
    if (j.contains("pair_max_failures")) c.pair_max_failures = j["pair_max_failures"].get<int>();
    if (j.contains("pair_lockout_seconds")) {
      c.pair_lockout_seconds = j["pair_lockout_seconds"].get<int>();
    }
    if (j.contains("external_ip")) c.external_ip = j["external_ip"].get<std::string>();
    if (j.contains("apps")) {
      if (!j["apps"].is_array()) return absl::InvalidArgumentError("apps: must be an array");
      for (const auto& a : j["apps"]) {
        AppEntry e;
        e.title = a.at("title").get<std::string>();
        e.id = a.contains("id") ? a["id"].get<int>() : AppIdForTitle(e.title);
        if (e.id <= 0) return absl::InvalidArgumentError("apps[].id: must be positive");
        e.hdr = a.value("hdr", false);
        e.image_path = a.value("image", "");
        e.cmd = a.value("cmd", "");
        for (const AppEntry& other : c.apps) {
          if (other.id == e.id) {
            return absl::InvalidArgumentError(absl::StrCat("apps: duplicate id ", e.id));
          }
        }
        c.apps.push_back(std::move(e));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", e.what()));
  }
  if (c.pair_max_failures < 1) return absl::InvalidArgumentError("pair_max_failures: >= 1");
  if (c.pair_lockout_seconds < 0) return absl::InvalidArgumentError("pair_lockout_seconds: >= 0");
  if (c.apps.empty()) c.apps.push_back({AppIdForTitle("Desktop"), "Desktop", false, "", ""});
  return c;
}

absl::StatusOr<HostConfig> LoadHostConfig(const StateDirs& dirs) {
  std::string path = absl::StrCat(dirs.config_dir, "/moonlight.json");
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) return ParseHostConfig("{}");
    return text.status();
  }
  absl::StatusOr<HostConfig> c = ParseHostConfig(*text);
  if (!c.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", c.status().message()));
  return c;
}

}  // namespace lumen::moonlight::state

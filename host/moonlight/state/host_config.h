// User configuration of the Moonlight host: name, ports, codecs, app list, pairing limits.
//
// Read from <config_dir>/moonlight.json (StateDirs::config_dir). A missing file means defaults;
// every key is optional. Example:
//   {"hostname": "desk", "base_port": 47989, "codec_mask": 257,
//    "admin_port": 47990, "admin_bind": "127.0.0.1",
//    "pair_max_failures": 5, "pair_lockout_seconds": 300,
//    "apps": [{"title": "Desktop"}, {"title": "Steam", "id": 7, "image": "/path/box.png",
//              "hdr": false, "cmd": "steam -bigpicture"}]}
// Ports follow the GameStream offsets from base_port (protocol doc §1.1) unless set one by one
// (http_port, https_port, rtsp_port, admin_port); 0 means "any free port" (tests).
#ifndef LUMEN_HOST_MOONLIGHT_STATE_HOST_CONFIG_H_
#define LUMEN_HOST_MOONLIGHT_STATE_HOST_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "host/moonlight/state/host_state.h"

namespace lumen::moonlight::state {

struct AppEntry {
  int id = 0;  // positive, stable (derived from the title unless configured)
  std::string title;
  bool hdr = false;        // IsHdrSupported
  std::string image_path;  // PNG for /appasset; empty = built-in box art
  std::string cmd;         // command to start (informational for the HTTP layer)
};

struct HostConfig {
  std::string hostname;  // empty = gethostname()
  int base_port = 47989;
  int http_port = 47989;   // base
  int https_port = 47984;  // base - 5
  int rtsp_port = 48010;   // base + 21
  int admin_port = 47990;  // base + 1; the PIN page, bound to admin_bind
  std::string bind_address = "0.0.0.0";
  std::string admin_bind = "127.0.0.1";
  // ServerCodecModeSupport bits (SCM_*). The real encoder probe overrides this at run time.
  uint32_t codec_mask = 0x1;
  int pair_max_failures = 5;       // wrong PINs before pairing is locked
  int pair_lockout_seconds = 300;  // how long the lock lasts
  std::string external_ip;         // optional <ExternalIP>
  std::vector<AppEntry> apps;      // never empty after parsing ("Desktop" by default)
};

// Parses a config JSON text. InvalidArgument (with the offending key) on malformed input.
absl::StatusOr<HostConfig> ParseHostConfig(std::string_view json);
// Loads <dirs.config_dir>/moonlight.json, or defaults when it does not exist.
absl::StatusOr<HostConfig> LoadHostConfig(const StateDirs& dirs);
// The stable id given to an app with no configured id: a 31-bit hash of its title, never 0.
int AppIdForTitle(std::string_view title);

}  // namespace lumen::moonlight::state

#endif  // LUMEN_HOST_MOONLIGHT_STATE_HOST_CONFIG_H_

// host/capture/screencast.h — asking a desktop for a PipeWire screen stream over D-Bus
// (sd-bus, the session bus from DBUS_SESSION_BUS_ADDRESS).
//
// Two providers:
//  * mutter's own org.gnome.Mutter.ScreenCast (GNOME, also `mutter --headless`):
//    RecordMonitor (an existing monitor, by connector) or RecordVirtual — a virtual
//    monitor whose size is whatever the PipeWire consumer asks for: lumen offers exactly
//    the client's size (PipeWireSourceConfig::fixed_size), which is the "virtual display
//    sized to the client" feature.
//  * the xdg-desktop-portal org.freedesktop.portal.ScreenCast (any desktop with a portal
//    backend): CreateSession -> SelectSources -> Start -> OpenPipeWireRemote. The user may
//    be asked to pick a screen; the returned remote fd must be used to connect.
// The session lives as long as the ScreenCastSession object (its bus connection); the
// stream stops when it is destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace lumen::capture {

class ScreenCastSession {
 public:
  ~ScreenCastSession();
  ScreenCastSession(const ScreenCastSession&) = delete;
  ScreenCastSession& operator=(const ScreenCastSession&) = delete;

  // mutter: a virtual monitor (size chosen by the consumer's format) or an existing
  // monitor (connector such as "Meta-0"; empty = the primary one). Waits up to
  // timeout_ms for the PipeWire node. Unavailable if mutter's service is not on the bus.
  static absl::StatusOr<std::unique_ptr<ScreenCastSession>> MutterVirtual(int timeout_ms = 5000);
  static absl::StatusOr<std::unique_ptr<ScreenCastSession>> MutterMonitor(
      const std::string& connector, int timeout_ms = 5000);

  // xdg-desktop-portal: monitor (or virtual, where the backend supports it) with the
  // cursor embedded. Waits up to timeout_ms for each step (the user may have to answer).
  static absl::StatusOr<std::unique_ptr<ScreenCastSession>> Portal(int timeout_ms = 60000);

  uint32_t node_id() const { return node_id_; }
  // The PipeWire remote fd the portal granted (-1 for mutter: use the default daemon).
  // TakeRemoteFd() hands ownership to the caller.
  int TakeRemoteFd() {
    const int fd = remote_fd_;
    remote_fd_ = -1;
    return fd;
  }

  struct Bus;  // implementation detail

 private:
  ScreenCastSession() = default;
  std::unique_ptr<Bus> bus_;
  std::string session_path_;
  bool mutter_ = false;
  uint32_t node_id_ = 0;
  int remote_fd_ = -1;
};

}  // namespace lumen::capture

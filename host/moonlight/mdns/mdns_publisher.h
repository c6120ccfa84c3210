// host/moonlight/mdns/mdns_publisher.h — announces the host on the local network the way
// Moonlight clients look for it (protocol doc §1.2): service type _nvstream._tcp on the
// HTTP port, instance name = the sanitized host name, no TXT records.
//
// Through the Avahi daemon (avahi-client, what desktop Linux runs; docs/architecture.md):
// a threaded poll of its own, so nothing else blocks on it. The daemon may be absent or
// restart: the client waits for it (AVAHI_CLIENT_NO_FAIL) and registers again whenever it
// comes up; a name another host already uses is replaced by Avahi's alternative
// ("name #2"). mDNS is optional for Moonlight (users can add a host by address), so every
// failure is logged and the host goes on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace lumen::moonlight::mdns {

inline constexpr char kServiceType[] = "_nvstream._tcp";

// The instance name for `hostname`, as Sunshine makes it: at most 63 characters, spaces
// become '-', cut at the first character that is not alphanumeric or '-'; "lumen" if
// nothing is left.
std::string InstanceName(std::string_view hostname);

struct PublisherState {
  bool daemon_running = false;  // connected to avahi-daemon
  bool established = false;     // the service is registered (announced)
  std::string name;             // the name in use (after collisions)
  uint64_t collisions = 0;
  uint64_t registrations = 0;  // times the service was (re)committed
  std::string last_error;
};

class Publisher {
 public:
  // Starts publishing `instance_name` on `port` (the HTTP port). Fails only when the
  // Avahi client library cannot be set up at all; a missing daemon is waited for.
  static absl::StatusOr<std::unique_ptr<Publisher>> Start(const std::string& instance_name,
                                                          uint16_t port);
  ~Publisher();  // withdraws the service
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  PublisherState state() const;

  struct Impl;

 private:
  explicit Publisher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumen::moonlight::mdns

// host/moonlight/serve/e2e_test_util.h — small helpers shared by the serve end-to-end tests
// (moonlight_e2e_test, desktop_e2e_test): free loopback ports, per-test temp dirs, URL ports.
#pragma once

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "host/moonlight/http/nvhttp_server.h"

namespace lumen::moonlight::serve::testing {

// A UDP port on 127.0.0.1 that was free a moment ago.
inline uint16_t FreeUdpPort() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// $TEST_TMPDIR/<name>.<pid>, created.
inline std::string TempDir(const char* name) {
  const char* t = std::getenv("TEST_TMPDIR");
  std::string d = std::string(t ? t : "/tmp") + "/" + name + "." + std::to_string(::getpid());
  std::string cmd = "mkdir -p '" + d + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return d;
}

// The port of "rtsp://host:PORT".
inline uint16_t PortFromUrl(const std::string& url) {
  return static_cast<uint16_t>(std::atoi(url.substr(url.rfind(':') + 1).c_str()));
}

// nvhttp on ephemeral loopback ports, one "Desktop" app (id 1234), RTSP at rtsp_port,
// no admin page or admin file: what every serve end-to-end test runs.
inline http::NvHttpOptions LoopbackNvHttpOptions(const char* hostname, uint16_t rtsp_port) {
  http::NvHttpOptions no;
  no.config.hostname = hostname;
  no.config.bind_address = "127.0.0.1";
  no.config.http_port = 0;
  no.config.https_port = 0;
  no.config.admin_port = 0;
  no.config.rtsp_port = rtsp_port;
  no.config.apps = {{1234, "Desktop"}};
  no.enable_admin = false;
  no.write_admin_file = false;
  return no;
}

}  // namespace lumen::moonlight::serve::testing

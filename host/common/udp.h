// host/common/udp.h — UDP sockets for the per-frame path: batched sends (UDP GSO where the
// kernel supports it, sendmmsg otherwise), batched receives (recvmmsg), address parsing.
//
// No async runtime: callers use these from native threads with blocking calls and a
// timeout. Errors on the per-packet path are counted, not thrown or formatted.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace lumen::host {

// An IPv4 or IPv6 address + port.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t len = 0;

  // Parses "1.2.3.4:5678", "[::1]:5678" or "host:port" (numeric only; no DNS).
  static absl::StatusOr<SocketAddress> Parse(const std::string& text);
  static SocketAddress FromSockaddr(const sockaddr* sa, socklen_t len);
  bool valid() const { return len != 0; }
  uint16_t port() const;
  std::string ToString() const;
  bool operator==(const SocketAddress& o) const;
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

struct UdpStats {
  uint64_t datagrams_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t send_calls = 0;
  uint64_t send_errors = 0;
  uint64_t gso_sends = 0;
  uint64_t datagrams_received = 0;
  uint64_t recv_calls = 0;
};

// One received datagram inside a RecvBatch.
struct Datagram {
  std::span<const uint8_t> data;
  SocketAddress from;
  uint64_t recv_ts_ns = 0;  // CLOCK_MONOTONIC after the batch returned
};

class UdpSocket {
 public:
  // Binds to `bind_addr` ("0.0.0.0:0" for an ephemeral port). Buffer sizes of 0 keep the
  // kernel defaults. GSO is probed once (UDP_SEGMENT) and used when `allow_gso`.
  static absl::StatusOr<UdpSocket> Bind(const std::string& bind_addr, int rcvbuf = 4 << 20,
                                        int sndbuf = 4 << 20, bool allow_gso = true);
  UdpSocket() = default;
  UdpSocket(UdpSocket&& o) noexcept;
  UdpSocket& operator=(UdpSocket&& o) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  int fd() const { return fd_; }
  uint16_t local_port() const;
  bool gso() const { return gso_; }

  // Sends `count` datagrams of `seg_size` bytes each, laid out every `stride` bytes from
  // `base` (stride == seg_size lets one GSO send carry up to 64 of them). Returns how many
  // were handed to the kernel; failures are counted in stats().send_errors.
  size_t SendStrided(const SocketAddress& to, const uint8_t* base, size_t seg_size,
                     size_t stride, size_t count) noexcept;

  // Sends datagrams of any sizes with sendmmsg in batches of up to 64.
  size_t SendMany(const SocketAddress& to, std::span<const std::span<const uint8_t>> dgrams)
      noexcept;

  // One datagram.
  bool SendTo(const SocketAddress& to, std::span<const uint8_t> dgram) noexcept;

  // Waits up to timeout_ms for datagrams and receives up to `max` of them (recvmmsg) into
  // internal buffers of `max_size` bytes each; `out` is valid until the next call.
  // Returns the count (0 on timeout or EINTR).
  size_t RecvBatch(std::vector<Datagram>* out, size_t max, size_t max_size,
                   int timeout_ms) noexcept;

  const UdpStats& stats() const { return stats_; }

 private:
  int fd_ = -1;
  bool gso_ = false;
  UdpStats stats_;
  std::vector<uint8_t> rx_buf_;
  std::vector<mmsghdr> rx_msgs_;
  std::vector<iovec> rx_iov_;
  std::vector<sockaddr_storage> rx_addrs_;
};

}  // namespace lumen::host

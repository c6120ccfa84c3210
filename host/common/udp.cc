// host/common/udp.cc — see udp.h.
#include "host/common/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/udp.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "host/common/clock.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace lumen::host {

absl::StatusOr<SocketAddress> SocketAddress::Parse(const std::string& text) {
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat("bad address: ", text));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("address needs a port: ", text));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  uint32_t p = 0;
  if (!absl::SimpleAtoi(port, &p) || p > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in: ", text));
  }
  if (host.empty() || host == "*") host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  SocketAddress a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(uint16_t(p));
    a.len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(uint16_t(p));
    a.len = sizeof(sockaddr_in6);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("bad host (numeric only): ", text));
  }
  return a;
}

SocketAddress SocketAddress::FromSockaddr(const sockaddr* sa, socklen_t len) {
  SocketAddress a;
  len = std::min<socklen_t>(len, sizeof(a.storage));
  std::memcpy(&a.storage, sa, len);
  a.len = len;
  return a;
}

uint16_t SocketAddress::port() const {
  if (storage.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  if (storage.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  }
  return 0;
}

std::string SocketAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (storage.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf,
              sizeof(buf));
    return absl::StrCat(buf, ":", port());
  }
  if (storage.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf,
              sizeof(buf));
    return absl::StrCat("[", buf, "]:", port());
  }
  return "(none)";
}

bool SocketAddress::operator==(const SocketAddress& o) const {
  if (len != o.len || storage.ss_family != o.storage.ss_family) return false;
  if (storage.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&storage);
    auto* b = reinterpret_cast<const sockaddr_in*>(&o.storage);
    return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (storage.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&storage);
    auto* b = reinterpret_cast<const sockaddr_in6*>(&o.storage);
    return a->sin6_port == b->sin6_port &&
           std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
  }
  return false;
}

absl::StatusOr<UdpSocket> UdpSocket::Bind(const std::string& bind_addr, int rcvbuf, int sndbuf,
                                          bool allow_gso) {
  auto addr = SocketAddress::Parse(bind_addr);
  if (!addr.ok()) return addr.status();
  UdpSocket s;
  s.fd_ = socket(addr->storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s.fd_ < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
  if (rcvbuf > 0) setsockopt(s.fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  if (sndbuf > 0) setsockopt(s.fd_, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  if (bind(s.fd_, addr->sa(), addr->len) != 0) {
    return absl::UnavailableError(absl::StrCat("bind ", bind_addr, ": ", strerror(errno)));
  }
  if (allow_gso) {
    // Probe: the option exists (Linux >= 4.18). Setting 0 keeps per-call segmentation.
    int zero = 0;
    s.gso_ = setsockopt(s.fd_, SOL_UDP, UDP_SEGMENT, &zero, sizeof(zero)) == 0;
  }
  return s;
}

UdpSocket::UdpSocket(UdpSocket&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), gso_(o.gso_), stats_(o.stats_) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    gso_ = o.gso_;
    stats_ = o.stats_;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) close(fd_);
}

uint16_t UdpSocket::local_port() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  return SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&ss), len).port();
}

bool UdpSocket::SendTo(const SocketAddress& to, std::span<const uint8_t> d) noexcept {
  ++stats_.send_calls;
  ssize_t n = sendto(fd_, d.data(), d.size(), MSG_NOSIGNAL, to.sa(), to.len);
  if (n < 0) {
    ++stats_.send_errors;
    return false;
  }
  ++stats_.datagrams_sent;
  stats_.bytes_sent += d.size();
  return true;
}

size_t UdpSocket::SendMany(const SocketAddress& to,
                           std::span<const std::span<const uint8_t>> dgrams) noexcept {
  constexpr size_t kBatch = 64;
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  size_t sent = 0;
  while (sent < dgrams.size()) {
    const size_t n = std::min(kBatch, dgrams.size() - sent);
    for (size_t i = 0; i < n; ++i) {
      iov[i].iov_base = const_cast<uint8_t*>(dgrams[sent + i].data());
      iov[i].iov_len = dgrams[sent + i].size();
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = const_cast<sockaddr*>(to.sa());
      msgs[i].msg_hdr.msg_namelen = to.len;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    ++stats_.send_calls;
    int r = sendmmsg(fd_, msgs, unsigned(n), MSG_NOSIGNAL);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
        // Kernel queue full: wait for room instead of dropping.
        pollfd p{fd_, POLLOUT, 0};
        poll(&p, 1, 5);
        continue;
      }
      stats_.send_errors += dgrams.size() - sent;
      return sent;
    }
    for (int i = 0; i < r; ++i) stats_.bytes_sent += dgrams[sent + size_t(i)].size();
    stats_.datagrams_sent += size_t(r);
    sent += size_t(r);
  }
  return sent;
}

size_t UdpSocket::SendStrided(const SocketAddress& to, const uint8_t* base, size_t seg_size,
                              size_t stride, size_t count) noexcept {
  if (count == 0) return 0;
  if (gso_ && stride == seg_size && count > 1) {
    // UDP GSO: one sendmsg carries up to 64 segments and at most 64 KiB of UDP payload.
    const size_t per_call = std::min<size_t>(64, std::max<size_t>(1, 65000 / seg_size));
    size_t sent = 0;
    while (sent < count) {
      const size_t n = std::min(per_call, count - sent);
      iovec iov{const_cast<uint8_t*>(base + sent * stride), n * seg_size};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(uint16_t))] = {};
      msghdr msg{};
      msg.msg_name = const_cast<sockaddr*>(to.sa());
      msg.msg_namelen = to.len;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      if (n > 1) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        const uint16_t gso_size = uint16_t(seg_size);
        std::memcpy(CMSG_DATA(c), &gso_size, sizeof(gso_size));
      }
      ++stats_.send_calls;
      ssize_t r = sendmsg(fd_, &msg, MSG_NOSIGNAL);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == ENOBUFS) {
          pollfd p{fd_, POLLOUT, 0};
          poll(&p, 1, 5);
          continue;
        }
        if (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP) {
          gso_ = false;  // device or path without GSO: fall back for good
          return sent + SendStrided(to, base + sent * stride, seg_size, stride, count - sent);
        }
        stats_.send_errors += count - sent;
        return sent;
      }
      ++stats_.gso_sends;
      stats_.datagrams_sent += n;
      stats_.bytes_sent += n * seg_size;
      sent += n;
    }
    return sent;
  }
  std::vector<std::span<const uint8_t>> spans;
  spans.reserve(count);
  for (size_t i = 0; i < count; ++i) spans.emplace_back(base + i * stride, seg_size);
  return SendMany(to, spans);
}

size_t UdpSocket::RecvBatch(std::vector<Datagram>* out, size_t max, size_t max_size,
                            int timeout_ms) noexcept {
  out->clear();
  if (rx_msgs_.size() < max || rx_buf_.size() < max * max_size) {
    rx_buf_.assign(max * max_size, 0);
    rx_msgs_.assign(max, {});
    rx_iov_.assign(max, {});
    rx_addrs_.assign(max, {});
  }
  pollfd p{fd_, POLLIN, 0};
  int pr = poll(&p, 1, timeout_ms);
  if (pr <= 0) return 0;
  for (size_t i = 0; i < max; ++i) {
    rx_iov_[i] = {rx_buf_.data() + i * max_size, max_size};
    rx_msgs_[i] = {};
    rx_msgs_[i].msg_hdr.msg_iov = &rx_iov_[i];
    rx_msgs_[i].msg_hdr.msg_iovlen = 1;
    rx_msgs_[i].msg_hdr.msg_name = &rx_addrs_[i];
    rx_msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
  }
  ++stats_.recv_calls;
  int r = recvmmsg(fd_, rx_msgs_.data(), unsigned(max), MSG_DONTWAIT, nullptr);
  if (r <= 0) return 0;
  const uint64_t now = MonotonicNs();
  for (int i = 0; i < r; ++i) {
    Datagram d;
    d.data = std::span<const uint8_t>(rx_buf_.data() + size_t(i) * max_size, rx_msgs_[i].msg_len);
    d.from = SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&rx_addrs_[i]),
                                         rx_msgs_[i].msg_hdr.msg_namelen);
    d.recv_ts_ns = now;
    out->push_back(d);
  }
  stats_.datagrams_received += size_t(r);
  return size_t(r);
}

}  // namespace lumen::host

// host/common/ring_handoff.cc — SCM_RIGHTS hand-off of ring memfds (see ring_handoff.h).
#include "host/common/ring_handoff.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace lumen::host {

absl::Status SendRings(int sock, absl::Span<const ReceivedRing> rings) {
  if (rings.empty() || rings.size() > kHandoffMaxRings) {
    return absl::InvalidArgumentError("SendRings: 1..8 rings");
  }
  uint8_t body[sizeof(RingHandoffHeader) + kHandoffMaxRings * sizeof(RingHandoffEntry)] = {};
  RingHandoffHeader hdr{kHandoffMagic, uint32_t(rings.size())};
  std::memcpy(body, &hdr, sizeof(hdr));
  for (size_t i = 0; i < rings.size(); ++i) {
    RingHandoffEntry e{rings[i].role, 0};
    std::memcpy(body + sizeof(hdr) + i * sizeof(e), &e, sizeof(e));
  }
  iovec iov{body, sizeof(hdr) + rings.size() * sizeof(RingHandoffEntry)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kHandoffMaxRings)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * rings.size());
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * rings.size());
  for (size_t i = 0; i < rings.size(); ++i) {
    std::memcpy(CMSG_DATA(c) + i * sizeof(int), &rings[i].fd, sizeof(int));
  }
  for (;;) {
    ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (n >= 0) return absl::OkStatus();
    if (errno == EINTR) continue;
    return absl::UnavailableError(absl::StrCat("sendmsg(SCM_RIGHTS): ", strerror(errno)));
  }
}

absl::StatusOr<std::vector<ReceivedRing>> ReceiveRings(int sock, int timeout_ms) {
  pollfd pfd{sock, POLLIN, 0};
  for (;;) {
    int r = poll(&pfd, 1, timeout_ms);
    if (r > 0) break;
    if (r == 0) return absl::DeadlineExceededError("no ring hand-off before the timeout");
    if (errno != EINTR) return absl::InternalError(absl::StrCat("poll: ", strerror(errno)));
  }
  uint8_t body[sizeof(RingHandoffHeader) + kHandoffMaxRings * sizeof(RingHandoffEntry)] = {};
  iovec iov{body, sizeof(body)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kHandoffMaxRings)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return absl::InternalError(absl::StrCat("recvmsg: ", strerror(errno)));
  if (n == 0) return absl::UnavailableError("ring socket closed by the peer");
  std::vector<int> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        fds.push_back(fd);
      }
    }
  }
  auto fail = [&](const char* why) {
    for (int fd : fds) close(fd);
    return absl::DataLossError(why);
  };
  if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) return fail("ring hand-off truncated");
  RingHandoffHeader hdr;
  if (size_t(n) < sizeof(hdr)) return fail("ring hand-off too short");
  std::memcpy(&hdr, body, sizeof(hdr));
  if (hdr.magic != kHandoffMagic || hdr.count == 0 || hdr.count > kHandoffMaxRings ||
      size_t(n) != sizeof(hdr) + hdr.count * sizeof(RingHandoffEntry) ||
      fds.size() != hdr.count) {
    return fail("malformed ring hand-off");
  }
  std::vector<ReceivedRing> out;
  for (uint32_t i = 0; i < hdr.count; ++i) {
    RingHandoffEntry e;
    std::memcpy(&e, body + sizeof(hdr) + i * sizeof(e), sizeof(e));
    out.push_back({e.role, fds[i]});
  }
  return out;
}

absl::StatusOr<int> ConnectUnixSocket(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return absl::InvalidArgumentError("path too long");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    absl::Status s =
        absl::UnavailableError(absl::StrCat("connect ", path, ": ", strerror(errno)));
    close(fd);
    return s;
  }
  return fd;
}

absl::StatusOr<int> OpenRingSocket(int ring_fd, const std::string& ring_socket) {
  if (ring_fd >= 0) return ring_fd;
  if (!ring_socket.empty()) return ConnectUnixSocket(ring_socket);
  return absl::InvalidArgumentError("need --ring-fd or --ring-socket");
}

int FindRing(absl::Span<const ReceivedRing> rings, RingRole role) {
  for (const ReceivedRing& r : rings) {
    if (r.role == role) return r.fd;
  }
  return -1;
}

absl::Status SendChildMessage(int sock, const ChildMessage& msg) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(&msg);
  size_t left = sizeof(msg);
  while (left > 0) {
    ssize_t n = send(sock, p, left, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("send: ", strerror(errno)));
    }
    p += n;
    left -= size_t(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<ChildMessage> ReadChildMessage(int sock, int timeout_ms) {
  ChildMessage msg;
  uint8_t* p = reinterpret_cast<uint8_t*>(&msg);
  size_t got = 0;
  while (got < sizeof(msg)) {
    pollfd pfd{sock, POLLIN, 0};
    int r = poll(&pfd, 1, got == 0 ? timeout_ms : 1000);
    if (r == 0) return absl::DeadlineExceededError("no message");
    if (r < 0) {
      if (errno == EINTR) return absl::DeadlineExceededError("interrupted");
      return absl::InternalError(absl::StrCat("poll: ", strerror(errno)));
    }
    ssize_t n = recv(sock, p + got, sizeof(msg) - got, 0);
    if (n == 0) return absl::UnavailableError("peer closed");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return absl::UnavailableError(absl::StrCat("recv: ", strerror(errno)));
    }
    got += size_t(n);
  }
  if (msg.magic != kChildMessageMagic) return absl::DataLossError("bad child message magic");
  return msg;
}

absl::StatusOr<ChildRings> AttachChildRings(int ring_fd, const std::string& ring_socket,
                                            std::initializer_list<WantedRing> wanted,
                                            int timeout_ms) {
  absl::StatusOr<int> sock = OpenRingSocket(ring_fd, ring_socket);
  if (!sock.ok()) return sock.status();
  absl::StatusOr<std::vector<ReceivedRing>> received = ReceiveRings(*sock, timeout_ms);
  if (!received.ok()) {
    if (ring_fd < 0) close(*sock);  // connected here; an inherited fd is the caller's
    return absl::Status(received.status().code(),
                        absl::StrCat("ring hand-off: ", received.status().message()));
  }
  ChildRings out;
  out.sock = *sock;
  absl::Status failed;
  for (const WantedRing& w : wanted) {
    std::optional<ShmRing>& slot = out.rings.emplace_back();
    const int fd = FindRing(*received, w.role);
    if (fd < 0 && w.optional) continue;
    absl::StatusOr<ShmRing> ring = ShmRing::Attach(fd, w.kind);
    if (ring.ok()) {
      slot = std::move(*ring);
    } else if (!w.optional && failed.ok()) {
      failed = absl::Status(
          ring.status().code(),
          absl::StrCat("attach ring role ", uint32_t(w.role), ": ", ring.status().message()));
    }
  }
  for (const ReceivedRing& r : *received) close(r.fd);
  if (!failed.ok()) {
    if (ring_fd < 0) close(*sock);
    return failed;
  }
  return out;
}

}  // namespace lumen::host

// host/common/ring_handoff.h — how a child binary receives its rings.
//
// The supervisor (`lumen`) creates every ring (memfd) and hands the fds to each child over
// a Unix stream socket with SCM_RIGHTS, in ONE message: a RingHandoffHeader followed by
// `count` RingHandoffEntry records, with the fds attached in the same order.
//
// A child learns the socket in one of two ways (flags every lumen-* binary accepts):
//   --ring-fd=N        an inherited, already connected socket (socketpair end); the normal
//                      case when `lumen` starts the child
//   --ring-socket=PATH a Unix socket path to connect to (manual runs / tests); the listener
//                      sends the handoff right after accept
// The child then calls ReceiveRings(fd), maps each fd with ShmRing::Attach(fd, kind) and
// keeps the socket open: the supervisor sees EOF when the child dies, and may send a
// second handoff (e.g. new rings after a resolution change) on the same socket.
//
// Roles (which ring is which, from the child's point of view):
//   lumen-capture   : kRawVideoOut
//   lumen-encode    : kRawVideoIn, kEncodedVideoOut, kControlIn
//   lumen-transport : kEncodedVideoIn, kControlOut, kStatsOut (+ kEncodedAudioIn)
//   lumen-audio     : kEncodedAudioOut
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "host/common/shm_ring.h"

namespace lumen::host {

inline constexpr uint32_t kHandoffMagic = 0x4F444E48;  // "HNDO"
inline constexpr uint32_t kHandoffMaxRings = 8;

enum class RingRole : uint32_t {
  kRawVideoOut = 1,
  kRawVideoIn = 2,
  kEncodedVideoOut = 3,
  kEncodedVideoIn = 4,
  kControlOut = 5,
  kControlIn = 6,
  kEncodedAudioOut = 7,
  kEncodedAudioIn = 8,
  kStatsOut = 9,  // transport -> supervisor FrameTiming records
  kStatsIn = 10,
};

struct RingHandoffHeader {
  uint32_t magic;
  uint32_t count;
};

struct RingHandoffEntry {
  RingRole role;
  uint32_t reserved;
};

struct ReceivedRing {
  RingRole role;
  int fd;  // owned by the caller (close it after ShmRing::Attach, which dups)
};

// Sends `rings` (role, fd) over the connected Unix socket `sock` in one message.
absl::Status SendRings(int sock, absl::Span<const ReceivedRing> rings);

// Blocks until one handoff message arrives on `sock` (timeout_ms < 0: forever).
// Errors: DeadlineExceeded, Unavailable (peer closed), DataLoss (malformed message).
absl::StatusOr<std::vector<ReceivedRing>> ReceiveRings(int sock, int timeout_ms = -1);

// Connects to a Unix stream socket at `path`. Returns the fd.
absl::StatusOr<int> ConnectUnixSocket(const std::string& path);

// Resolves --ring-fd / --ring-socket to a connected socket: ring_fd >= 0 wins; otherwise
// connects to ring_socket. InvalidArgument if neither is set.
absl::StatusOr<int> OpenRingSocket(int ring_fd, const std::string& ring_socket);

// Finds the fd for `role`, or -1.
int FindRing(absl::Span<const ReceivedRing> rings, RingRole role);

// A child binary's whole start-up hand-off: resolves the socket (OpenRingSocket), waits up
// to timeout_ms for the rings (ReceiveRings), attaches the wanted roles in the order given
// (ShmRing::Attach checks each kind) and closes every received fd (Attach dups). A wanted
// ring marked optional that was not handed over or does not attach is left empty; any
// other failure is an error (InvalidArgument: neither --ring-fd nor --ring-socket, a usage
// error; otherwise the hand-off failed). `sock` stays open, as the protocol above asks.
struct WantedRing {
  RingRole role;
  RingKind kind;
  bool optional = false;
};
struct ChildRings {
  int sock = -1;
  std::vector<std::optional<ShmRing>> rings;  // one per wanted ring, same order
};
absl::StatusOr<ChildRings> AttachChildRings(int ring_fd, const std::string& ring_socket,
                                            std::initializer_list<WantedRing> wanted,
                                            int timeout_ms = 10000);

// After the hand-off the same socket carries small fixed-size messages both ways.
// Children that have nothing to say need not read or write any.
inline constexpr uint32_t kChildMessageMagic = 0x47534D43;  // "CMSG"

enum class ChildMessageType : uint32_t {
  kReady = 1,        // child -> supervisor: attached and running; value = UDP port (transport)
  kRequestIdr = 2,   // supervisor -> transport: ask the encoder for an IDR
  kSetBitrate = 3,   // supervisor -> transport: value = kbps, forwarded to the encoder
  kSetDestination = 4,  // supervisor -> transport: reserved
};

struct ChildMessage {
  uint32_t magic = kChildMessageMagic;
  ChildMessageType type = ChildMessageType::kReady;
  uint64_t value = 0;
  uint64_t value2 = 0;
};
static_assert(sizeof(ChildMessage) == 24);

// Writes one message (blocking). Unavailable if the peer is gone.
absl::Status SendChildMessage(int sock, const ChildMessage& msg);

// Reads one message, waiting up to timeout_ms (< 0: forever). DeadlineExceeded on timeout,
// Unavailable on EOF, DataLoss on a bad magic.
absl::StatusOr<ChildMessage> ReadChildMessage(int sock, int timeout_ms);

}  // namespace lumen::host

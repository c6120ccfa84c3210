// host/lumen/supervisor.h — the streaming pipeline as a library: creates the shared-memory
// rings, starts lumen-capture, lumen-encode and lumen-transport, hands each its rings over
// SCM_RIGHTS, restarts a child that dies (the session keeps going; clients see at most an
// IDR), collects per-frame timing from the transport, and stops everything cleanly.
//
// Used by `lumen demo` and by the Moonlight host (`lumen serve` starts one Pipeline per
// /launch with the client's packet size, FEC percentage and rikey from ANNOUNCE).
//
// Child command lines (the contract with the child binaries; see docs/architecture.md):
//   lumen-capture   --ring-fd=3 --source=S --width=W --height=H --fps=F
//   lumen-encode    --ring-fd=3 --codec=C --bitrate-kbps=K --fps=F --width=W --height=H
//   lumen-transport --ring-fd=3 --bind=A [--dest=A] [--ping-payload=P] --packet-size=N
//                   --fec-percent=N --min-fec=N [--key=HEX]
//                   [--framing=lumen --lumen-secret=HEX32 --lumen-nonces=HEX64
//                    --lumen-session=N --lumen-aead=NAME]
// plus PipelineConfig::extra_*_args. fd 3 is the child's end of a socketpair; everything
// else is closed on exec. Children run with PR_SET_PDEATHSIG=SIGTERM.
//
// Thread-safety: all public methods may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "host/common/frame_desc.h"

namespace lumen::supervisor {

enum class ChildKind : int { kCapture = 0, kEncode = 1, kTransport = 2 };
inline constexpr int kChildCount = 3;
const char* ChildName(ChildKind kind);  // "lumen-capture", ...

struct PipelineConfig {
  // Capture.
  std::string source = "synthetic";  // lumen-capture --source
  int width = 1280;
  int height = 720;
  int fps = 60;
  // Encode.
  host::Codec codec = host::Codec::kH264;
  int bitrate_kbps = 10000;
  // Transport.
  std::string bind = "0.0.0.0:0";  // Moonlight: "0.0.0.0:47998"
  std::string dest;                // fixed client address; empty = learn from ping
  std::string ping_payload;        // X-SS-Ping-Payload
  int packet_size = 1392;
  int fec_percent = 20;
  int min_fec_packets = 2;
  bool encrypt = false;
  std::array<uint8_t, 16> key{};
  // Lumen framing (docs/lumen-transport.md) instead of Moonlight video packets; the client
  // must be given the same secret, nonces, session id and AEAD.
  bool lumen_framing = false;
  std::string lumen_secret_hex;  // 32 hex digits (the launch secret)
  std::string lumen_nonces_hex;  // 64 hex digits: host nonce | client nonce
  uint32_t lumen_session_id = 1;
  std::string lumen_aead;        // "aes256gcm" | "xchacha20poly1305"
  // Rings.
  uint32_t raw_slots = 4;
  uint32_t au_slots = 8;
  uint64_t au_slot_bytes = 4 << 20;
  // Processes.
  std::string bin_dir;  // where the lumen-* binaries are; empty = search (see FindBinary)
  std::string child_log_level;  // LUMEN_LOG for children; empty = inherit
  bool restart_children = true;
  int max_restarts = 10;  // per child over the pipeline's life; then the pipeline fails
  std::vector<std::string> extra_capture_args;
  std::vector<std::string> extra_encode_args;
  std::vector<std::string> extra_transport_args;
};

struct PipelineStats {
  // From the rings (monotonic counters).
  uint64_t frames_captured = 0;      // raw ring published
  uint64_t raw_dropped = 0;          // raw frames the encoder never saw (drop-oldest)
  uint64_t raw_skipped = 0;          // raw frames the encoder skipped to stay current
  uint64_t aus_encoded = 0;          // AU ring published
  uint64_t au_rejected = 0;          // encoder found the AU ring full
  uint64_t control_sent = 0;         // control messages to the encoder
  // From the transport's per-frame records.
  uint64_t frames_sent = 0;
  uint64_t frames_without_client = 0;
  uint64_t bytes_sent = 0;           // access-unit bytes
  uint64_t datagrams_sent = 0;
  // Last second.
  double fps = 0;
  double bitrate_kbps = 0;
  double capture_to_send_p50_ms = 0;
  // Processes.
  std::array<int, kChildCount> restarts{};
  std::array<int, kChildCount> pids{};
  bool failed = false;  // a child exceeded max_restarts or could not start
  std::string failure;
};

class Pipeline {
 public:
  // Creates the rings and starts the children. Waits up to 5 s for the transport's ready
  // message (so transport_port() is known on return). Errors: NotFound (a binary is
  // missing), Internal/Unavailable (a syscall or a child failed to start).
  static absl::StatusOr<std::unique_ptr<Pipeline>> Start(const PipelineConfig& config);
  ~Pipeline();  // Stop()

  // SIGTERM to every child, then SIGKILL after 2 s; joins the threads. Idempotent.
  void Stop();

  // Asks the encoder for an IDR (through the transport's control ring).
  absl::Status RequestIdr();
  absl::Status SetBitrate(int kbps);

  // The UDP port lumen-transport sends from (and receives pings/feedback on).
  uint16_t transport_port() const;

  PipelineStats Stats() const;
  // One line for a TTY: fps, bitrate, drops, latency, restarts.
  std::string StatusLine() const;

  // Every FrameTiming record received so far (kept for the pipeline's life, capped at
  // 1M records).
  std::vector<host::FrameTiming> Timings() const;

  // Sends `sig` to a child (tests and `lumen demo --kill-encoder-at`). The supervisor
  // restarts it unless the pipeline is stopping.
  absl::Status KillChild(ChildKind kind, int sig);

  struct Impl;

 private:
  Pipeline() = default;
  std::unique_ptr<Impl> impl_;
};

// Finds a lumen-* binary: $LUMEN_BIN_DIR, config bin_dir, next to /proc/self/exe, the
// bazel-bin layout (../capture/NAME from host/lumen/), <exe>.runfiles/lumen/host/PKG/NAME,
// $RUNFILES_DIR/lumen/host/PKG/NAME, ./host/PKG/NAME. NotFound lists where it looked.
absl::StatusOr<std::string> FindBinary(const std::string& name, const std::string& bin_dir);

}  // namespace lumen::supervisor

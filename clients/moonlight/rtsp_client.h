// Client side of the Moonlight RTSP handshake (what moonlight-common-c's
// RtspConnection.c does against a 7.1.431 Sunshine-style host): OPTIONS, DESCRIBE,
// SETUP audio/video/control, ANNOUNCE (SDP like SdpGenerator.c) and PLAY, one request
// per TCP connection, optionally AES-GCM framed (rtspenc://). Used by lumen's
// end-to-end tests to drive the host exactly as a stock client would.
#ifndef LUMEN_CLIENTS_MOONLIGHT_RTSP_CLIENT_H_
#define LUMEN_CLIENTS_MOONLIGHT_RTSP_CLIENT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "host/moonlight/rtsp/stream_config.h"

namespace lumen::moonlight::client {

struct RtspResponse {
  int code = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  const std::string* Header(const std::string& name) const;  // case-sensitive
};

// Parses a complete response the way RtspParser.c does (status line, "Name: value"
// headers, blank line, body to EOF).
absl::StatusOr<RtspResponse> ParseRtspResponse(const std::string& text);

struct RtspClientConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 48010;
  bool encrypted = false;         // rtspenc:// from sessionUrl0
  std::array<uint8_t, 16> key{};  // rikey
  std::string host_header;        // "" -> host (stereo HQ trick); "0.0.0.0" -> normal quality
  // Stream request.
  int width = 1280;
  int height = 720;
  int fps = 60;
  int packet_size = 1392;
  int bitrate_kbps = 10000;
  bool supports_hevc = false;  // pick HEVC if the host advertises it
  bool supports_av1 = false;
  int audio_channels = 2;
  uint32_t encryption_enabled = kEncControlV2 | kEncAudio;
  int max_reference_frames = 1;
  int packet_duration_ms = 5;
  int timeout_ms = 5000;
  // lumen-aware client: answer the host's x-lumen-transport offer (if DESCRIBE carries one)
  // in ANNOUNCE, asking for lumen video framing with this datagram budget.
  bool lumen_transport = false;
  uint32_t lumen_mtu = 1408;
};

struct RtspHandshakeResult {
  uint16_t audio_port = 0;
  uint16_t video_port = 0;
  uint16_t control_port = 0;
  std::string ping_payload;
  uint32_t connect_data = 0;
  VideoCodec codec = VideoCodec::kH264;
  std::string describe_body;
  std::string session;
  // Set when the host offered lumen transport and we answered (cfg.lumen_transport): the
  // video then comes in lumen framing.
  std::optional<LumenNegotiated> lumen;
};

class RtspClient {
 public:
  explicit RtspClient(RtspClientConfig cfg) : cfg_(std::move(cfg)) {}

  // One request/response on a fresh TCP connection. `request` is the complete
  // plaintext request; it is sealed when cfg.encrypted.
  absl::StatusOr<RtspResponse> Transact(const std::string& request);

  // Sends raw bytes and returns everything the host wrote before closing (tests of
  // malformed input).
  absl::StatusOr<std::string> SendRaw(const std::string& bytes);

  // The whole handshake. Stops at the first non-200 reply.
  absl::StatusOr<RtspHandshakeResult> Handshake();

  // The ANNOUNCE body for `codec`, with the lumen answer when given (exposed for tests).
  std::string BuildAnnounceBody(VideoCodec codec,
                                const session::LumenAccept* lumen = nullptr) const;

 private:
  std::string Request(const std::string& method, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& extra,
                      const std::string& body = {});

  RtspClientConfig cfg_;
  uint32_t cseq_ = 0;
  uint32_t seq_ = 0;  // encrypted message counter
};

}  // namespace lumen::moonlight::client

#endif  // LUMEN_CLIENTS_MOONLIGHT_RTSP_CLIENT_H_

// clients/reference/moonlight_session.h — the reference client as a Moonlight client of a
// real host (`lumen serve`, or any GameStream host): its identity from a key directory,
// pairing with a PIN the user enters on the host, /applist, /launch, the encrypted RTSP
// handshake — answering a lumen-transport offer unless told not to
// (docs/lumen-transport.md §4) — and the ENet control stream. It fills in the
// ReferenceClient's ClientConfig: the host's video port, the ping payload, the codec and
// the video framing with its keys (lumen transport when the host offered it, else
// Moonlight's).
// Quitting the app (/cancel) happens when the session is destroyed.
//
// Built from lumen's Moonlight client libraries (clients/moonlight), the same ones the
// serve end-to-end tests drive the host with. Pairing pins the host's certificate
// (keydir/host-<address>-<port>.pem): later sessions only talk HTTPS to a host presenting
// exactly that certificate, and say so when it differs.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/reference/client.h"
#include "core/moonlight/input.h"

namespace lumen::client {

struct MoonlightSessionOptions {
  std::string host;  // address of the host
  int http_port = 47989;
  std::string keydir;  // client.key / client.pem (created on first use)
  std::string pin;     // 4 digits: pair first when the host does not know us yet
  std::string app;     // app title; empty: the first one
  int width = 1280, height = 720, fps = 60;
  int bitrate_kbps = 10000;
  bool hevc = false;            // ask for HEVC when the host offers it
  bool lumen_transport = true;  // answer a lumen-transport offer
  uint32_t lumen_mtu = 1408;
};

class MoonlightSession {
 public:
  // On success `video` has server, ping_payload, codec, packet_size, framing and lumen set
  // for this session; its other fields (bind, loss, decoding) are left as they were.
  static absl::StatusOr<std::unique_ptr<MoonlightSession>> Start(
      const MoonlightSessionOptions& options, ClientConfig* video);
  ~MoonlightSession();  // quits the app on the host and closes the control stream
  MoonlightSession(const MoonlightSession&) = delete;
  MoonlightSession& operator=(const MoonlightSession&) = delete;

  // "H.264 1280x720@60 from HOST, lumen framing (aes256gcm)" or "..., Moonlight framing".
  std::string Describe() const;
  // Asks the host for an IDR frame over the control stream.
  void RequestIdr();
  // Sends one keyboard/mouse/... event to the host over the control stream (any thread).
  void SendInput(const moonlight::input::InputEvent& event);

  struct Impl;

 private:
  explicit MoonlightSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumen::client

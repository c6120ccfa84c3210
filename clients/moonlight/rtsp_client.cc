// Moonlight RTSP client for tests (see rtsp_client.h).
#include "clients/moonlight/rtsp_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/session/lumen_attr.h"
#include "core/transport/crypto.h"
#include "host/moonlight/rtsp/rtsp_cipher.h"

namespace lumen::moonlight::client {

const std::string* RtspResponse::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

absl::StatusOr<RtspResponse> ParseRtspResponse(const std::string& text) {
  const size_t end = text.find("\r\n\r\n");
  if (end == std::string::npos) return absl::DataLossError("no end of headers");
  RtspResponse r;
  size_t pos = text.find("\r\n");
  std::string status = text.substr(0, pos);
  if (status.rfind("RTSP/1.0 ", 0) != 0) return absl::DataLossError("bad status line: " + status);
  const size_t sp = status.find(' ', 9);
  r.code = std::atoi(status.substr(9, sp - 9).c_str());
  r.reason = sp == std::string::npos ? "" : status.substr(sp + 1);
  pos += 2;
  while (pos < end + 2) {
    size_t eol = text.find("\r\n", pos);
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 2;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) return absl::DataLossError("bad header: " + line);
    // Like RtspParser.c: the character after the colon is dropped (must be one space).
    if (colon + 1 >= line.size() || line[colon + 1] != ' ') {
      return absl::DataLossError("header without single space: " + line);
    }
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  if (r.headers.empty()) return absl::DataLossError("no headers");
  r.body = text.substr(end + 4);
  return r;
}

absl::StatusOr<std::string> RtspClient::SendRaw(const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(cfg_.port);
  ::inet_pton(AF_INET, cfg_.host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
    const int e = errno;
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("connect: ", strerror(e)));
  }
  // Send in small pieces as the real client may (the host must reassemble).
  size_t off = 0;
  while (off < bytes.size()) {
    size_t n = std::min<size_t>(bytes.size() - off, 700);
    ssize_t w = ::send(fd, bytes.data() + off, n, MSG_NOSIGNAL);
    if (w <= 0) break;  // the host may close early on bad input
    off += static_cast<size_t>(w);
  }
  std::string out;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, cfg_.timeout_ms) <= 0) {
      ::close(fd);
      return absl::DeadlineExceededError("RTSP reply timed out");
    }
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (1u << 20)) break;
  }
  ::close(fd);
  return out;
}

absl::StatusOr<RtspResponse> RtspClient::Transact(const std::string& request) {
  std::string wire = request;
  if (cfg_.encrypted) wire = rtsp::SealRtspMessage(cfg_.key, seq_++, 'C', request);
  auto raw = SendRaw(wire);
  if (!raw.ok()) return raw.status();
  std::string text = *raw;
  if (cfg_.encrypted) {
    std::string plain;
    uint32_t seq = 0;
    size_t used = 0;
    auto st = rtsp::UnsealRtspMessage(cfg_.key, 'H', *raw, &plain, &seq, &used);
    if (st != rtsp::UnsealStatus::kOk) return absl::DataLossError("bad encrypted RTSP reply");
    if (used != raw->size()) return absl::DataLossError("trailing bytes after encrypted reply");
    text = plain;
  }
  return ParseRtspResponse(text);
}

std::string RtspClient::Request(const std::string& method, const std::string& target,
                                const std::vector<std::pair<std::string, std::string>>& extra,
                                const std::string& body) {
  std::string s = absl::StrCat(method, " ", target, " RTSP/1.0\r\nCSeq: ", ++cseq_,
                               "\r\nX-GS-ClientVersion: 14\r\nHost: ",
                               cfg_.host_header.empty() ? cfg_.host : cfg_.host_header, "\r\n");
  for (const auto& [k, v] : extra) absl::StrAppend(&s, k, ": ", v, "\r\n");
  if (!body.empty()) absl::StrAppend(&s, "Content-length: ", body.size(), "\r\n");
  absl::StrAppend(&s, "\r\n", body);
  return s;
}

std::string RtspClient::BuildAnnounceBody(VideoCodec codec,
                                          const session::LumenAccept* lumen) const {
  std::string b =
      "v=0\r\no=android 0 14 IN IPv4 " + cfg_.host + "\r\ns=NVIDIA Streaming Client\r\n";
  auto a = [&](const std::string& name, int64_t v) {
    absl::StrAppend(&b, "a=", name, ":", v, " \r\n");
  };
  a("x-ml-general.featureFlags", 3);
  a("x-ss-general.encryptionEnabled", cfg_.encryption_enabled);
  a("x-ss-video[0].chromaSamplingType", 0);
  a("x-nv-video[0].clientViewportWd", cfg_.width);
  a("x-nv-video[0].clientViewportHt", cfg_.height);
  a("x-nv-video[0].maxFPS", cfg_.fps);
  a("x-nv-video[0].packetSize", cfg_.packet_size);
  a("x-nv-video[0].rateControlMode", 4);
  a("x-nv-video[0].timeoutLengthMs", 7000);
  a("x-nv-video[0].framesWithInvalidRefThreshold", 0);
  a("x-nv-video[0].initialBitrateKbps", cfg_.bitrate_kbps * 8 / 10);
  a("x-nv-video[0].initialPeakBitrateKbps", cfg_.bitrate_kbps * 8 / 10);
  a("x-nv-vqos[0].bw.minimumBitrateKbps", cfg_.bitrate_kbps * 8 / 10);
  a("x-nv-vqos[0].bw.maximumBitrateKbps", cfg_.bitrate_kbps * 8 / 10);
  a("x-ml-video.configuredBitrateKbps", cfg_.bitrate_kbps);
  a("x-nv-vqos[0].fec.enable", 1);
  a("x-nv-vqos[0].videoQualityScoreUpdateTime", 5000);
  a("x-nv-vqos[0].qosTrafficType", 5);
  a("x-nv-aqos.qosTrafficType", 4);
  a("x-nv-general.featureFlags", (cfg_.encryption_enabled & kEncAudio) ? 167 : 135);
  a("x-nv-general.useReliableUdp", 13);
  a("x-nv-vqos[0].fec.minRequiredFecPackets", 2);
  a("x-nv-vqos[0].bllFec.enable", 0);
  a("x-nv-vqos[0].drc.enable", 0);
  a("x-nv-general.enableRecoveryMode", 0);
  a("x-nv-video[0].videoEncoderSlicesPerFrame", 1);
  a("x-nv-vqos[0].bitStreamFormat", static_cast<int>(codec));
  if (codec != VideoCodec::kAv1) a("x-nv-clientSupportHevc", codec == VideoCodec::kHevc ? 1 : 0);
  a("x-nv-video[0].dynamicRangeMode", 0);
  a("x-nv-video[0].maxNumReferenceFrames", cfg_.max_reference_frames);
  a("x-nv-video[0].clientRefreshRateX100", cfg_.fps * 100);
  a("x-nv-audio.surround.numChannels", cfg_.audio_channels);
  a("x-nv-audio.surround.channelMask", cfg_.audio_channels == 8   ? 0x63F
                                       : cfg_.audio_channels == 6 ? 0x3F
                                                                  : 0x3);
  a("x-nv-audio.surround.enable", cfg_.audio_channels > 2 ? 1 : 0);
  a("x-nv-audio.surround.AudioQuality", 0);
  a("x-nv-aqos.packetDuration", cfg_.packet_duration_ms);
  a("x-nv-video[0].encoderCscMode", 2);
  if (lumen != nullptr) absl::StrAppend(&b, session::BuildAcceptLine(*lumen));
  absl::StrAppend(&b, "t=0 0\r\nm=video ", 47998, "  \r\n");
  return b;
}

namespace {
uint16_t ServerPort(const RtspResponse& r) {
  const std::string* t = r.Header("Transport");
  if (!t) return 0;
  const size_t p = t->find("server_port=");
  if (p == std::string::npos) return 0;
  return static_cast<uint16_t>(std::atoi(t->c_str() + p + 12));
}
}  // namespace

absl::StatusOr<RtspHandshakeResult> RtspClient::Handshake() {
  RtspHandshakeResult out;
  const std::string url =
      absl::StrCat(cfg_.encrypted ? "rtspenc://" : "rtsp://", cfg_.host, ":", cfg_.port);
  auto check = [](const absl::StatusOr<RtspResponse>& r, const char* what) -> absl::Status {
    if (!r.ok()) return r.status();
    if (r->code != 200) {
      return absl::FailedPreconditionError(absl::StrCat(what, " -> ", r->code, " ", r->reason));
    }
    return absl::OkStatus();
  };
  auto opt = Transact(Request("OPTIONS", url, {}));
  if (auto st = check(opt, "OPTIONS"); !st.ok()) return st;
  auto desc = Transact(Request(
      "DESCRIBE", url,
      {{"Accept", "application/sdp"}, {"If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"}}));
  if (auto st = check(desc, "DESCRIBE"); !st.ok()) return st;
  if (desc->body.empty()) return absl::DataLossError("empty DESCRIBE body");
  out.describe_body = desc->body;
  std::optional<session::LumenAccept> lumen_accept;
  if (cfg_.lumen_transport) {
    // No offer (NotFound) or one we cannot use: stay with Moonlight framing.
    if (auto offer = session::ParseOffer(desc->body); offer.ok()) {
      session::LumenAccept acc;
      randombytes_buf(acc.nonce.data(), acc.nonce.size());
      acc.aead = session::ChooseAead(*offer, transport::AesGcmAvailable());
      acc.mtu = cfg_.lumen_mtu;
      lumen_accept = acc;
      out.lumen = LumenNegotiated{*offer, acc};
    }
  }
  if (cfg_.supports_av1 && desc->body.find("AV1/90000") != std::string::npos) {
    out.codec = VideoCodec::kAv1;
  } else if (cfg_.supports_hevc &&
             desc->body.find("sprop-parameter-sets=AAAAAU") != std::string::npos) {
    out.codec = VideoCodec::kHevc;
  }
  const std::vector<std::pair<std::string, std::string>> transport = {
      {"Transport", "unicast;X-GS-ClientPort=50000-50001"},
      {"If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"}};
  auto audio = Transact(Request("SETUP", "streamid=audio/0/0", transport));
  if (auto st = check(audio, "SETUP audio"); !st.ok()) return st;
  const std::string* session = audio->Header("Session");
  if (!session) return absl::DataLossError("no Session on audio SETUP");
  out.session = session->substr(0, session->find(';'));
  out.audio_port = ServerPort(*audio);
  if (const std::string* pp = audio->Header("X-SS-Ping-Payload")) out.ping_payload = *pp;
  auto with_session = transport;
  with_session.emplace_back("Session", out.session);
  auto video = Transact(Request("SETUP", "streamid=video/0/0", with_session));
  if (auto st = check(video, "SETUP video"); !st.ok()) return st;
  out.video_port = ServerPort(*video);
  auto control = Transact(Request("SETUP", "streamid=control/13/0", with_session));
  if (auto st = check(control, "SETUP control"); !st.ok()) return st;
  out.control_port = ServerPort(*control);
  if (const std::string* cd = control->Header("X-SS-Connect-Data")) {
    out.connect_data = static_cast<uint32_t>(std::strtoul(cd->c_str(), nullptr, 0));
  }
  auto ann =
      Transact(Request("ANNOUNCE", "streamid=control/13/0",
                       {{"Session", out.session}, {"Content-type", "application/sdp"}},
                       BuildAnnounceBody(out.codec, lumen_accept ? &*lumen_accept : nullptr)));
  if (auto st = check(ann, "ANNOUNCE"); !st.ok()) return st;
  auto play = Transact(Request("PLAY", "/", {{"Session", out.session}}));
  if (auto st = check(play, "PLAY"); !st.ok()) return st;
  return out;
}

}  // namespace lumen::moonlight::client

// Moonlight RTSP server (see rtsp_server.h).
#include "host/moonlight/rtsp/rtsp_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/session/lumen_attr.h"
#include "core/transport/crypto.h"
#include "host/moonlight/rtsp/rtsp_cipher.h"
#include "host/moonlight/rtsp/rtsp_message.h"

namespace lumen::moonlight::rtsp {

struct RtspServer::Pending {
  LaunchSession session;
  std::string session_id;  // RTSP Session token, set on the first SETUP
  uint32_t host_seq = 0;   // encrypted RTSP: host message counter
  bool setup_audio = false, setup_video = false, setup_control = false;
  bool announced = false;
  std::optional<session::LumenOffer> lumen_offer;  // offer_lumen_transport: this launch's
};

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::StatusOr<std::unique_ptr<RtspServer>> RtspServer::Start(const RtspServerOptions& options,
                                                              Callbacks callbacks) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(options.port);
  if (::inet_pton(AF_INET, options.bind_address.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    return absl::InvalidArgumentError("bad RTSP bind address: " + options.bind_address);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0 || ::listen(fd, 16) < 0) {
    const int e = errno;
    ::close(fd);
    return absl::UnavailableError(
        absl::StrCat("RTSP bind/listen on port ", options.port, ": ", strerror(e)));
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return std::unique_ptr<RtspServer>(
      new RtspServer(options, std::move(callbacks), fd, ntohs(addr.sin_port)));
}

RtspServer::RtspServer(const RtspServerOptions& options, Callbacks callbacks, int fd, uint16_t port)
    : options_(options), callbacks_(std::move(callbacks)), listen_fd_(fd), port_(port) {
  if (::pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) != 0) wake_fds_[0] = wake_fds_[1] = -1;
  thread_ = std::thread([this] { AcceptLoop(); });
}

RtspServer::~RtspServer() {
  if (wake_fds_[1] >= 0) {
    char c = 1;
    (void)!::write(wake_fds_[1], &c, 1);
  }
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  if (wake_fds_[0] >= 0) ::close(wake_fds_[0]);
  if (wake_fds_[1] >= 0) ::close(wake_fds_[1]);
}

void RtspServer::SetPendingSession(const LaunchSession& session) {
  std::lock_guard lock(mu_);
  pending_ = std::make_unique<Pending>();
  pending_->session = session;
  if (options_.offer_lumen_transport) {
    session::LumenOffer offer;
    randombytes_buf(offer.nonce.data(), offer.nonce.size());
    offer.session_id = randombytes_random() | 1u;  // never 0
    offer.aes256gcm = transport::AesGcmAvailable();
    offer.xchacha20poly1305 = true;
    pending_->lumen_offer = offer;
  }
}

void RtspServer::ClearPendingSession() {
  std::lock_guard lock(mu_);
  pending_.reset();
}

RtspServerStats RtspServer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void RtspServer::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    int n = ::poll(fds, wake_fds_[0] >= 0 ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    sockaddr_in peer{};
    socklen_t len = sizeof(peer);
    int cfd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (cfd < 0) continue;
    char ip[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
    {
      std::lock_guard lock(mu_);
      ++stats_.connections;
    }
    HandleConnection(cfd, ip);
    ::shutdown(cfd, SHUT_WR);
    ::close(cfd);
  }
}

void RtspServer::HandleConnection(int fd, const std::string& peer) {
  bool encrypted = false;
  AesKey key{};
  {
    std::lock_guard lock(mu_);
    if (!pending_) {
      ++stats_.rejected_no_session;
      return;  // nothing launched: close straight away
    }
    encrypted = pending_->session.rtsp_encrypted;
    key = pending_->session.key;
  }

  // Read one request (framed if encrypted) within the deadline.
  std::string buf;
  std::string plain_storage;
  Request req;
  const int64_t deadline = NowMs() + options_.read_timeout_ms;
  const size_t cap = kMaxHeaderBytes + kMaxBodyBytes + kEncryptedHeaderBytes;
  bool got = false;
  auto reply_plain_error = [&](int code, const char* text) {
    std::lock_guard lock(mu_);
    ++stats_.bad_requests;
    if (!encrypted) WriteAll(fd, FormatResponse(code, text, 0, {}));
    // An encrypted session must never see plaintext; just close.
  };
  while (!got) {
    const int64_t left = deadline - NowMs();
    if (left <= 0) return;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      return;
    }
    char tmp[4096];
    ssize_t n = ::recv(fd, tmp, sizeof(tmp), 0);
    if (n <= 0) return;
    buf.append(tmp, static_cast<size_t>(n));
    if (buf.size() > cap) {
      reply_plain_error(400, "Bad Request");
      return;
    }
    std::string_view text = buf;
    if (encrypted) {
      uint32_t seq = 0;
      size_t used = 0;
      UnsealStatus us = UnsealRtspMessage(key, 'C', buf, &plain_storage, &seq, &used);
      if (us == UnsealStatus::kIncomplete) continue;
      if (us != UnsealStatus::kOk) {
        reply_plain_error(400, "Bad Request");
        return;
      }
      text = plain_storage;
    }
    size_t consumed = 0;
    ParseStatus ps = ParseRequest(text, &req, &consumed);
    if (ps == ParseStatus::kIncomplete) {
      if (encrypted) {  // a whole encrypted frame must hold a whole request
        reply_plain_error(400, "Bad Request");
        return;
      }
      continue;
    }
    if (ps != ParseStatus::kOk) {
      reply_plain_error(400, "Bad Request");
      return;
    }
    got = true;
  }

  // Dispatch.
  int code = 200;
  std::string reason = "OK";
  Headers headers;
  std::string body;
  std::optional<LaunchSession> announce_session;
  std::optional<StreamConfig> announce_config;
  bool play = false;
  LaunchSession play_session;
  {
    std::lock_guard lock(mu_);
    if (!pending_) return;
    Pending& p = *pending_;
    auto check_session = [&]() -> bool {
      auto s = req.Header("Session");
      if (!s || p.session_id.empty()) return false;
      std::string_view v = *s;
      v = v.substr(0, v.find(';'));
      return v == p.session_id;
    };
    if (req.method == "OPTIONS") {
      // CSeq only.
    } else if (req.method == "DESCRIBE") {
      body = BuildDescribeSdp(options_.caps);
      if (p.lumen_offer) {
        body += session::BuildOfferLine(*p.lumen_offer);
        ++stats_.lumen_offers;
      }
    } else if (req.method == "SETUP") {
      std::string_view type = SetupStreamType(req.target);
      if (p.session_id.empty()) {
        // The first SETUP (audio, for current clients) creates the session token.
        p.session_id = absl::StrCat(absl::Hex(randombytes_random(), absl::kZeroPad8));
      } else if (req.Header("Session") && !check_session()) {
        code = 454;
        reason = "Session Not Found";
      }
      if (code == 200) {
        uint16_t port = 0;
        if (type == "audio") {
          port = options_.audio_port;
          p.setup_audio = true;
        } else if (type == "video") {
          port = options_.video_port;
          p.setup_video = true;
        } else if (type == "control") {
          port = options_.control_port;
          p.setup_control = true;
        } else {
          code = 404;
          reason = "Not Found";
        }
        if (code == 200) {
          headers.emplace_back("Session", p.session_id + ";timeout = 90");
          headers.emplace_back("Transport", absl::StrCat("server_port=", port));
          if (type == "control") {
            headers.emplace_back("X-SS-Connect-Data", absl::StrCat(p.session.connect_data));
          } else {
            headers.emplace_back("X-SS-Ping-Payload", p.session.ping_payload);
          }
        }
      }
    } else if (req.method == "ANNOUNCE") {
      if (!check_session()) {
        code = 454;
        reason = "Session Not Found";
      } else {
        auto host = req.Header("Host");
        auto cfg = ParseAnnounce(req.body, host ? *host : std::string_view(), options_.policy);
        if (!cfg.ok()) {
          code = cfg.status().code() == absl::StatusCode::kPermissionDenied ? 403 : 400;
          reason = code == 403 ? "Forbidden" : "Bad Request";
          ++stats_.bad_requests;
        } else {
          announce_session = p.session;
          announce_config = *cfg;
          if (p.lumen_offer) {
            // An answer switches the video to lumen framing; a bad one is counted and the
            // session goes on with Moonlight framing, as if no answer had come.
            auto accept = session::ParseAccept(req.body);
            if (accept.ok() && session::AcceptMatchesOffer(*p.lumen_offer, *accept)) {
              announce_config->lumen = LumenNegotiated{*p.lumen_offer, *accept};
              ++stats_.lumen_accepted;
            } else if (!absl::IsNotFound(accept.status())) {
              ++stats_.lumen_bad_answers;
            }
          }
        }
      }
    } else if (req.method == "PLAY") {
      if (!check_session()) {
        code = 454;
        reason = "Session Not Found";
      } else {
        play = true;
        play_session = p.session;
      }
    } else {
      code = 501;
      reason = "Not Implemented";
    }
  }

  if (announce_config) {
    absl::Status st = absl::OkStatus();
    if (callbacks_.on_announce)
      st = callbacks_.on_announce(*announce_session, *announce_config, peer);
    std::lock_guard lock(mu_);
    ++stats_.announces;
    if (!st.ok()) {
      code = st.code() == absl::StatusCode::kPermissionDenied  ? 403
             : st.code() == absl::StatusCode::kInvalidArgument ? 400
                                                               : 500;
      reason = code == 500 ? "Internal Server Error" : code == 403 ? "Forbidden" : "Bad Request";
    } else if (pending_) {
      pending_->announced = true;
    }
  }
  if (play && callbacks_.on_play) callbacks_.on_play(play_session);

  std::string response = FormatResponse(code, reason, req.cseq, headers, body);
  if (encrypted) {
    uint32_t seq;
    {
      std::lock_guard lock(mu_);
      seq = pending_ ? ++pending_->host_seq : 1;
    }
    response = SealRtspMessage(key, seq, 'H', response);
  }
  WriteAll(fd, response);
  std::lock_guard lock(mu_);
  if (code == 200) ++stats_.requests_ok;
}

}  // namespace lumen::moonlight::rtsp

// Moonlight control-stream client for tests (see control_client.h).
#include "clients/moonlight/control_client.h"

#include <enet/enet.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "core/moonlight/wire.h"

namespace lumen::moonlight::client {
namespace {
constexpr size_t kChannelCount = 0x30;
constexpr uint8_t kChannelUrgent = 0x01;
}  // namespace

absl::StatusOr<std::unique_ptr<ControlClient>> ControlClient::Connect(
    const ControlClientConfig& cfg) {
  static const bool init_ok = enet_initialize() == 0;
  if (!init_ok) return absl::InternalError("enet_initialize failed");
  std::unique_ptr<ControlClient> c(new ControlClient());
  c->cfg_ = cfg;
  ENetHost* host = enet_host_create(nullptr, 1, kChannelCount, 0, 0);
  if (!host) return absl::InternalError("enet_host_create failed");
  ENetAddress addr{};
  enet_address_set_host_ip(&addr, cfg.host.c_str());
  addr.port = cfg.port;
  ENetPeer* peer = enet_host_connect(host, &addr, kChannelCount, cfg.connect_data);
  if (!peer) {
    enet_host_destroy(host);
    return absl::InternalError("enet_host_connect failed");
  }
  ENetEvent ev;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg.connect_timeout_ms);
  bool connected = false;
  while (!connected && std::chrono::steady_clock::now() < deadline) {
    int r = enet_host_service(host, &ev, 20);
    if (r > 0 && ev.type == ENET_EVENT_TYPE_CONNECT) connected = true;
    if (r > 0 && ev.type == ENET_EVENT_TYPE_DISCONNECT) break;
    if (r > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
  }
  if (!connected) {
    enet_peer_reset(peer);
    enet_host_destroy(host);
    return absl::UnavailableError("control stream connect failed");
  }
  enet_peer_timeout(peer, 2, 10000, 10000);
  c->host_ = host;
  c->peer_ = peer;
  c->codec_ = std::make_unique<control::ControlCodec>(cfg.encrypted, cfg.v2, false, cfg.key);
  if (cfg.send_start) {
    const uint8_t start_a[2] = {0, 0};
    const uint8_t start_b[1] = {0};
    c->Queue(c->codec_->Seal(control::kRequestIdr, start_a));
    c->Queue(c->codec_->Seal(control::kStartB, start_b));
  }
  c->thread_ = std::thread([p = c.get()] { p->Loop(); });
  return c;
}

ControlClient::~ControlClient() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  auto* host = static_cast<ENetHost*>(host_);
  auto* peer = static_cast<ENetPeer*>(peer_);
  if (!disconnected_ && peer) {
    enet_peer_disconnect(peer, 0);
    ENetEvent ev;
    for (int i = 0; i < 20 && enet_host_service(host, &ev, 10) >= 0; ++i) {
      if (ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
      if (ev.type == ENET_EVENT_TYPE_DISCONNECT) break;
    }
  }
  if (host) enet_host_destroy(host);
}

void ControlClient::Queue(std::vector<uint8_t> wire) {
  std::lock_guard l(mu_);
  outgoing_.push_back(std::move(wire));
}

void ControlClient::RequestIdr() {
  const uint8_t p[2] = {0, 0};
  std::lock_guard l(mu_);
  outgoing_.push_back(codec_->Seal(control::kRequestIdr, p));
}

void ControlClient::InvalidateRefFrames(uint64_t first, uint64_t last) {
  uint8_t p[24] = {};
  StoreLe64(p, first);
  StoreLe64(p + 8, last);
  std::lock_guard l(mu_);
  outgoing_.push_back(codec_->Seal(control::kInvalidateRefFrames, p));
}

void ControlClient::SendInput(std::span<const uint8_t> input_packet) {
  std::lock_guard l(mu_);
  outgoing_.push_back(codec_->Seal(control::kInputData, input_packet));
}

void ControlClient::SendRaw(std::vector<uint8_t> bytes) { Queue(std::move(bytes)); }

bool ControlClient::WaitFor(uint16_t type, int timeout_ms, control::ControlMessage* out) {
  std::unique_lock l(mu_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    for (auto it = received_.begin(); it != received_.end(); ++it) {
      if (it->type == type) {
        *out = std::move(*it);
        received_.erase(it);
        return true;
      }
    }
    if (cv_.wait_until(l, deadline) == std::cv_status::timeout) return false;
  }
}

bool ControlClient::WaitDisconnected(int timeout_ms) {
  std::unique_lock l(mu_);
  return cv_.wait_for(l, std::chrono::milliseconds(timeout_ms),
                      [this] { return disconnected_.load(); });
}

void ControlClient::Loop() {
  auto* host = static_cast<ENetHost*>(host_);
  auto* peer = static_cast<ENetPeer*>(peer_);
  auto next_ping = std::chrono::steady_clock::now();
  while (!stop_ && !disconnected_) {
    std::deque<std::vector<uint8_t>> out;
    {
      std::lock_guard l(mu_);
      out.swap(outgoing_);
      if (cfg_.periodic_ping && std::chrono::steady_clock::now() >= next_ping) {
        uint8_t ping[8] = {4, 0, 0, 0, 0, 0, 0, 0};
        out.push_back(codec_->Seal(control::kPeriodicPing, ping));
        next_ping += std::chrono::milliseconds(100);
      }
    }
    for (auto& w : out) {
      ENetPacket* pk = enet_packet_create(w.data(), w.size(), ENET_PACKET_FLAG_RELIABLE);
      if (enet_peer_send(peer, kChannelUrgent, pk) < 0) enet_packet_destroy(pk);
    }
    ENetEvent ev;
    int r = enet_host_service(host, &ev, 5);
    while (r > 0) {
      if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
        control::ControlMessage m;
        auto e = codec_->Open(std::span<const uint8_t>(ev.packet->data, ev.packet->dataLength), &m);
        enet_packet_destroy(ev.packet);
        if (e == control::ControlError::kOk) {
          std::lock_guard l(mu_);
          received_.push_back(std::move(m));
          cv_.notify_all();
        } else {
          ++decrypt_errors_;
        }
      } else if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
        std::lock_guard l(mu_);
        disconnected_ = true;
        cv_.notify_all();
      }
      r = enet_host_check_events(host, &ev);
    }
  }
}

}  // namespace lumen::moonlight::client

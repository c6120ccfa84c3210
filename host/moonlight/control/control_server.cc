// Moonlight control stream over ENet (see control_server.h).
#include "host/moonlight/control/control_server.h"

#include <arpa/inet.h>
#include <enet/enet.h>

#include <chrono>
#include <optional>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "core/moonlight/wire.h"

namespace lumen::moonlight::control {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool EnetInitOnce() {
  static const bool ok = enet_initialize() == 0;
  return ok;
}

std::string AddressText(const ENetAddress& a) {
  in_addr in{};
  in.s_addr = a.host;
  char buf[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &in, buf, sizeof(buf));
  return buf;
}

}  // namespace

struct ControlServer::Impl {
  ControlServerOptions options;
  Callbacks callbacks;
  ControlServer* owner = nullptr;
  ENetHost* host = nullptr;
  std::thread thread;
  std::atomic<bool> stop{false};

  struct Op {
    enum Kind { kArm, kEnd, kSend } kind;
    LaunchSession launch;
    StreamConfig config;
    std::string client_address;
    uint32_t hresult = 0;
    uint16_t type = 0;
    std::vector<uint8_t> payload;
  };
  std::mutex mu;
  std::deque<Op> ops;        // guarded by mu
  ControlServerStats stats;  // guarded by mu

  // Service-thread state.
  struct Armed {
    LaunchSession launch;
    StreamConfig config;
    std::string client_address;
    std::unique_ptr<ControlCodec> codec;
  };
  std::optional<Armed> armed;
  ENetPeer* peer = nullptr;
  int64_t last_event_ms = 0;

  template <class F>
  void Count(F f) {
    std::lock_guard l(mu);
    f(stats);
  }

  void EndPeer(ControlEndReason reason, uint32_t hresult, bool notify) {
    if (peer) {
      if (hresult != 0 && armed && armed->codec) {
        uint8_t p[4];
        StoreBe32(p, hresult);
        SendNow(kTerminationExtended, p);
        enet_host_flush(host);
      }
      enet_peer_disconnect_later(peer, 0);
      peer->data = nullptr;
      peer = nullptr;
      owner->connected_ = false;
    }
    if (notify && callbacks.on_session_end) callbacks.on_session_end(reason);
  }

  void SendNow(uint16_t type, std::span<const uint8_t> payload) {
    if (!peer || !armed) return;
    std::vector<uint8_t> wire = armed->codec->Seal(type, payload);
    ENetPacket* pk = enet_packet_create(wire.data(), wire.size(), ENET_PACKET_FLAG_RELIABLE);
    if (enet_peer_send(peer, 0, pk) < 0) {
      enet_packet_destroy(pk);
      return;
    }
    Count([](ControlServerStats& s) { ++s.sent; });
  }

  void RunOps() {
    std::deque<Op> todo;
    {
      std::lock_guard l(mu);
      todo.swap(ops);
    }
    for (Op& op : todo) {
      switch (op.kind) {
        case Op::kArm: {
          const bool had = peer != nullptr;
          if (had) EndPeer(ControlEndReason::kReplaced, kTerminationGraceful, true);
          Armed a;
          a.launch = op.launch;
          a.config = op.config;
          a.client_address = op.client_address;
          a.codec = std::make_unique<ControlCodec>(op.config.control_encrypted(),
                                                   op.config.control_v2(), true, op.launch.key);
          armed = std::move(a);
          break;
        }
        case Op::kEnd:
          if (peer) {
            EndPeer(ControlEndReason::kHostEnded, op.hresult, true);
          }
          armed.reset();
          break;
        case Op::kSend:
          SendNow(op.type, op.payload);
          break;
      }
    }
  }

  void OnConnect(ENetEvent& ev) {
    // An ArmSession queued while this thread was inside enet_host_service must be seen
    // before the connect is judged (a loaded machine can stretch that window a lot).
    RunOps();
    bool match = false;
    if (armed) {
      if (armed->config.ml_feature_flags & kMlFeatureSessionIdV1) {
        match = ev.data == armed->launch.connect_data;
      } else {
        match = AddressText(ev.peer->address) == armed->client_address;
      }
    }
    if (!match) {
      spdlog::warn("control: refused ENet connect from {} (connect data {}, {})",
                   AddressText(ev.peer->address), ev.data,
                   armed ? "does not match the session" : "no session armed");
      Count([](ControlServerStats& s) { ++s.rejected_connects; });
      enet_peer_disconnect_now(ev.peer, 0);
      return;
    }
    if (peer && peer != ev.peer) {
      enet_peer_disconnect_now(peer, 0);  // the client reconnected; drop the old peer
    }
    // The client's retransmission timeouts (common-c: 2, 10 s, 10 s) on our side too.
    enet_peer_timeout(ev.peer, 2, options.idle_timeout_ms, options.idle_timeout_ms);
    peer = ev.peer;
    peer->data = this;
    armed->codec = std::make_unique<ControlCodec>(
        armed->config.control_encrypted(), armed->config.control_v2(), true, armed->launch.key);
    owner->connected_ = true;
    Count([](ControlServerStats& s) { ++s.connects; });
    if (callbacks.on_connected) callbacks.on_connected();
  }

  void OnReceive(ENetEvent& ev) {
    if (ev.peer != peer || !armed) return;
    ControlMessage m;
    ControlError e =
        armed->codec->Open(std::span<const uint8_t>(ev.packet->data, ev.packet->dataLength), &m);
    if (e != ControlError::kOk) {
      Count([e](ControlServerStats& s) { ++s.errors[static_cast<size_t>(e)]; });
      return;
    }
    Count([](ControlServerStats& s) { ++s.messages; });
    switch (m.type) {
      case kRequestIdr:
      case kStartALegacy:
        Count([](ControlServerStats& s) { ++s.idr_requests; });
        if (callbacks.on_idr_request) callbacks.on_idr_request();
        break;
      case kInvalidateRefFrames: {
        Count([](ControlServerStats& s) { ++s.rfi_requests; });
        if (m.payload.size() >= 16) {
          const uint64_t first = LoadLe64(m.payload.data());
          const uint64_t last = LoadLe64(m.payload.data() + 8);
          if (callbacks.on_invalidate_ref_frames) callbacks.on_invalidate_ref_frames(first, last);
        } else if (callbacks.on_idr_request) {
          callbacks.on_idr_request();  // malformed RFI: an IDR always recovers
        }
        break;
      }
      case kPeriodicPing:
      case kLossStats:
      case kFrameStats:
        Count([](ControlServerStats& s) { ++s.pings; });
        break;
      case kInputData:
        Count([](ControlServerStats& s) { ++s.input_packets; });
        if (callbacks.on_input) callbacks.on_input(m.payload);
        break;
      case kFecStatus:
        Count([](ControlServerStats& s) { ++s.fec_status; });
        break;
      case kStartB:
      case kLtrFrameAck:
        break;
      default:
        Count([](ControlServerStats& s) { ++s.unknown_types; });
        break;
    }
  }

  void Loop() {
    while (!stop.load()) {
      RunOps();
      ENetEvent ev;
      int r = enet_host_service(host, &ev, 5);
      const int64_t now = NowMs();
      while (r > 0) {
        if (ev.peer == peer) last_event_ms = now;
        switch (ev.type) {
          case ENET_EVENT_TYPE_CONNECT:
            last_event_ms = now;
            OnConnect(ev);
            break;
          case ENET_EVENT_TYPE_RECEIVE:
            OnReceive(ev);
            enet_packet_destroy(ev.packet);
            break;
          case ENET_EVENT_TYPE_DISCONNECT:
            if (ev.peer == peer) {
              peer = nullptr;
              owner->connected_ = false;
              if (callbacks.on_session_end) {
                callbacks.on_session_end(ControlEndReason::kClientDisconnected);
              }
            }
            break;
          default:
            break;
        }
        r = enet_host_check_events(host, &ev);
      }
      if (peer && now - last_event_ms > options.idle_timeout_ms) {
        enet_peer_disconnect_now(peer, 0);
        peer = nullptr;
        owner->connected_ = false;
        if (callbacks.on_session_end) callbacks.on_session_end(ControlEndReason::kTimeout);
      }
    }
    if (peer) {
      EndPeer(ControlEndReason::kHostEnded, kTerminationGraceful, false);
      enet_host_flush(host);
    }
  }
};

absl::StatusOr<std::unique_ptr<ControlServer>> ControlServer::Start(
    const ControlServerOptions& options, Callbacks callbacks) {
  if (!EnetInitOnce()) return absl::InternalError("enet_initialize failed");
  ENetAddress addr{};
  if (enet_address_set_host_ip(&addr, options.bind_address.c_str()) != 0) {
    return absl::InvalidArgumentError("bad control bind address: " + options.bind_address);
  }
  addr.port = options.port;
  // channelLimit 0 = ENET_PROTOCOL_MAXIMUM_CHANNEL_COUNT; the client asks for 0x30.
  ENetHost* host = enet_host_create(&addr, static_cast<size_t>(options.max_peers), 0, 0, 0);
  if (!host) {
    return absl::UnavailableError(absl::StrCat("ENet host on UDP port ", options.port,
                                               " could not be created (port in use?)"));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->callbacks = std::move(callbacks);
  impl->host = host;
  uint16_t port = host->address.port;
  if (port == 0) {
    ENetAddress bound{};
    enet_socket_get_address(host->socket, &bound);
    port = bound.port;
  }
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl), port));
}

ControlServer::ControlServer(std::unique_ptr<Impl> impl, uint16_t port)
    : impl_(std::move(impl)), port_(port) {
  impl_->owner = this;
  impl_->thread = std::thread([this] { impl_->Loop(); });
}

ControlServer::~ControlServer() {
  impl_->stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
  enet_host_destroy(impl_->host);
}

void ControlServer::ArmSession(const LaunchSession& launch, const StreamConfig& config,
                               const std::string& client_address) {
  Impl::Op op{Impl::Op::kArm, launch, config, client_address};
  std::lock_guard l(impl_->mu);
  impl_->ops.push_back(std::move(op));
}

void ControlServer::EndSession(uint32_t hresult) {
  Impl::Op op{Impl::Op::kEnd, {}, {}, {}, hresult};
  std::lock_guard l(impl_->mu);
  impl_->ops.push_back(std::move(op));
}

void ControlServer::SendMessage(uint16_t type, std::vector<uint8_t> payload) {
  Impl::Op op{Impl::Op::kSend, {}, {}, {}, 0, type, std::move(payload)};
  std::lock_guard l(impl_->mu);
  impl_->ops.push_back(std::move(op));
}

void ControlServer::SendHdrMode(bool enabled) {
  std::vector<uint8_t> p(27, 0);  // enabled + 13 x LE16 SS_HDR_METADATA (zeros: unknown)
  p[0] = enabled ? 1 : 0;
  SendMessage(kHdrMode, std::move(p));
}

void ControlServer::SendRumble(uint16_t controller, uint16_t low_freq, uint16_t high_freq) {
  std::vector<uint8_t> p(10, 0);
  StoreLe16(p.data() + 4, controller);
  StoreLe16(p.data() + 6, low_freq);
  StoreLe16(p.data() + 8, high_freq);
  SendMessage(kRumble, std::move(p));
}

ControlServerStats ControlServer::stats() const {
  std::lock_guard l(impl_->mu);
  return impl_->stats;
}

}  // namespace lumen::moonlight::control

// capi/lumen_core.cc — the C ABI shim: validate at the edge, call the core, map results to
// lumen status codes. Nothing crosses the boundary as an exception; allocation happens only in
// *_create (and in the core's own codec caches on a never-seen FEC shape).
#include "capi/lumen_core.h"

#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "core/fec/rs_fft16.h"
#include "core/fec/rs_gf256.h"
#include "core/moonlight/audio.h"
#include "core/moonlight/video_depacketizer.h"
#include "core/moonlight/video_packetizer.h"
#include "core/session/host_session.h"
#include "core/transport/crypto.h"
#include "core/transport/receiver.h"
#include "core/transport/sender.h"
#include "core/transport/wire.h"

static_assert(sizeof(lumen::session::HostActions) > 0 &&
                  LUMEN_HOST_MAX_ACTIONS >= 8,  // ActionList<HostAction> holds at most 8
              "LUMEN_HOST_MAX_ACTIONS must cover the session's action list");

namespace {

// True when the caller's struct (of struct_size bytes) contains field `f`.
#define LUMEN_HAS(cfg, Type, f) \
  ((cfg)->struct_size >= offsetof(Type, f) + sizeof(static_cast<Type*>(nullptr)->f))

// The first published size of each struct: everything up to and including `last_required`.
template <class T>
bool SizeAtLeast(const T* cfg, size_t min_size) {
  return cfg != nullptr && cfg->struct_size >= min_size;
}
#define LUMEN_MIN_SIZE(Type, last_required) \
  (offsetof(Type, last_required) + sizeof(static_cast<Type*>(nullptr)->last_required))

int FromFec(lumen::fec::Status s) {
  switch (s) {
    case lumen::fec::Status::kOk: return LUMEN_OK;
    case lumen::fec::Status::kInvalidArgument: return LUMEN_ERR_INVALID_ARGUMENT;
    case lumen::fec::Status::kTooFewShards: return LUMEN_ERR_TOO_FEW_SHARDS;
    case lumen::fec::Status::kUnsupported: return LUMEN_ERR_UNSUPPORTED;
  }
  return LUMEN_ERR_INTERNAL;
}

int FromAbsl(const absl::Status& s) {
  if (s.ok()) return LUMEN_OK;
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: return LUMEN_ERR_INVALID_ARGUMENT;
    case absl::StatusCode::kResourceExhausted: return LUMEN_ERR_NO_MEMORY;
    case absl::StatusCode::kUnimplemented: return LUMEN_ERR_UNSUPPORTED;
    case absl::StatusCode::kFailedPrecondition: return LUMEN_ERR_INVALID_STATE;
    default: return LUMEN_ERR_INTERNAL;
  }
}

template <class T, class Fn>
int Create(T** out, Fn&& init) {
  if (out == nullptr) return LUMEN_ERR_INVALID_ARGUMENT;
  *out = nullptr;
  std::unique_ptr<T> obj(new (std::nothrow) T());
  if (!obj) return LUMEN_ERR_NO_MEMORY;
  int rc;
  try {
    rc = init(*obj);
  } catch (const std::bad_alloc&) {
    return LUMEN_ERR_NO_MEMORY;
  } catch (...) {
    return LUMEN_ERR_INTERNAL;
  }
  if (rc == LUMEN_OK) *out = obj.release();
  return rc;
}

lumen::transport::Aead PickAead(uint32_t v) {
  if (v == LUMEN_AEAD_AES256GCM) return lumen::transport::Aead::kAes256Gcm;
  if (v == LUMEN_AEAD_XCHACHA20POLY1305) return lumen::transport::Aead::kXChaCha20Poly1305;
  return lumen::transport::AesGcmAvailable() ? lumen::transport::Aead::kAes256Gcm
                                             : lumen::transport::Aead::kXChaCha20Poly1305;
}

}  // namespace

// ---- opaque handle types ---------------------------------------------------------------
struct lumen_fec {
  uint32_t kind = 0;
  lumen::fec::Rs256 rs8;
  lumen::fec::Rs16 rs16;
  size_t max_len = 0;
};
struct lumen_ml_video_packetizer {
  lumen::moonlight::VideoPacketizer p;
};
struct lumen_ml_video_depacketizer {
  lumen::moonlight::VideoDepacketizer d;
};
struct lumen_ml_audio_packetizer {
  lumen::moonlight::AudioPacketizer p;
};
struct lumen_ml_audio_depacketizer {
  lumen::moonlight::AudioDepacketizer d;
};
struct lumen_lt_sender {
  lumen::transport::FrameSender s;
  std::vector<uint8_t> out;
  size_t max_datagrams = 0;
};
struct lumen_lt_receiver {
  lumen::transport::FrameReceiver r;
};
struct lumen_host_session {
  std::unique_ptr<lumen::session::HostSession> s;
  std::string last_error;
};

extern "C" {

uint32_t lumen_abi_version(void) { return LUMEN_ABI_VERSION; }

const char* lumen_status_string(int status) {
  switch (status) {
    case LUMEN_OK: return "ok";
    case LUMEN_ERR_INVALID_ARGUMENT: return "invalid argument";
    case LUMEN_ERR_TOO_FEW_SHARDS: return "too few shards to recover";
    case LUMEN_ERR_UNSUPPORTED: return "unsupported";
    case LUMEN_ERR_BUFFER_TOO_SMALL: return "buffer too small";
    case LUMEN_ERR_NO_MEMORY: return "out of memory";
    case LUMEN_ERR_FRAME_TOO_LARGE: return "frame too large";
    case LUMEN_ERR_DROPPED: return "datagram dropped";
    case LUMEN_ERR_INVALID_STATE: return "invalid event for the current state";
    case LUMEN_ERR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

// ---- FEC ---------------------------------------------------------------------------------
int lumen_fec_create(const lumen_fec_config* c, lumen_fec** out) {
  if (!SizeAtLeast(c, LUMEN_MIN_SIZE(lumen_fec_config, parity_shards))) {
    return LUMEN_ERR_INVALID_ARGUMENT;
  }
  const uint64_t max_len = LUMEN_HAS(c, lumen_fec_config, max_shard_bytes) ? c->max_shard_bytes : 0;
  return Create(out, [&](lumen_fec& f) -> int {
    f.kind = c->kind;
    switch (c->kind) {
      case LUMEN_FEC_GF256_CAUCHY:
      case LUMEN_FEC_GF256_MOONLIGHT_AUDIO:
        if (c->data_shards > 255 || c->parity_shards > 255) return LUMEN_ERR_INVALID_ARGUMENT;
        return FromFec(f.rs8.Init(int(c->data_shards), int(c->parity_shards),
                                  c->kind == LUMEN_FEC_GF256_CAUCHY
                                      ? lumen::fec::Gf256Matrix::kCauchy
                                      : lumen::fec::Gf256Matrix::kMoonlightAudio));
      case LUMEN_FEC_GF65536:
        if (max_len == 0 || max_len > (uint64_t(1) << 30)) return LUMEN_ERR_INVALID_ARGUMENT;
        f.max_len = size_t(max_len);
        return FromFec(f.rs16.Init(c->data_shards, c->parity_shards, f.max_len));
      default: return LUMEN_ERR_UNSUPPORTED;
    }
  });
}

void lumen_fec_destroy(lumen_fec* f) { delete f; }

int lumen_fec_encode(lumen_fec* f, const uint8_t* const* data, uint8_t* const* parity,
                     size_t len) {
  if (f == nullptr) return LUMEN_ERR_INVALID_ARGUMENT;
  if (f->kind == LUMEN_FEC_GF65536) return FromFec(f->rs16.Encode(data, parity, len));
  return FromFec(f->rs8.Encode(data, parity, len));
}

int lumen_fec_decode(lumen_fec* f, uint8_t* const* shards, const uint8_t* missing, size_t len) {
  if (f == nullptr) return LUMEN_ERR_INVALID_ARGUMENT;
  if (f->kind == LUMEN_FEC_GF65536) return FromFec(f->rs16.Decode(shards, missing, len));
  return FromFec(f->rs8.Decode(shards, missing, len));
}

// ---- Moonlight video ---------------------------------------------------------------------
int lumen_ml_video_packetizer_create(const lumen_ml_video_packetizer_config* c,
                                     lumen_ml_video_packetizer** out) {
  using Cfg = lumen_ml_video_packetizer_config;
  if (!SizeAtLeast(c, LUMEN_MIN_SIZE(Cfg, key))) return LUMEN_ERR_INVALID_ARGUMENT;
  lumen::moonlight::VideoPacketizerConfig cfg;
  cfg.packet_size = c->packet_size;
  cfg.fec_percent = c->fec_percent;
  cfg.min_fec_packets = c->min_fec_packets;
  cfg.ssrc = c->ssrc;
  cfg.encrypt = c->encrypt != 0;
  std::memcpy(cfg.key.data(), c->key, 16);
  if (LUMEN_HAS(c, Cfg, max_frame_bytes)) cfg.max_frame_bytes = size_t(c->max_frame_bytes);
  return Create(out, [&](lumen_ml_video_packetizer& p) { return FromAbsl(p.p.Init(cfg)); });
}

void lumen_ml_video_packetizer_destroy(lumen_ml_video_packetizer* p) { delete p; }

int lumen_ml_video_packetize(lumen_ml_video_packetizer* p, const uint8_t* au, size_t len,
                             uint32_t frame_index, uint32_t frame_type, uint32_t rtp_timestamp,
                             lumen_datagram_fn emit, void* user) {
  if (p == nullptr || emit == nullptr || (au == nullptr && len != 0) || frame_type == 0 ||
      frame_type > 255) {
    return LUMEN_ERR_INVALID_ARGUMENT;
  }
  using lumen::moonlight::PacketizeStatus;
  const PacketizeStatus st = p->p.Packetize(
      std::span<const uint8_t>(au, len), frame_index,
      static_cast<lumen::moonlight::FrameType>(frame_type), rtp_timestamp,
      [&](std::span<const uint8_t> d) { emit(user, d.data(), d.size()); });
  switch (st) {
    case PacketizeStatus::kOk: return LUMEN_OK;
    case PacketizeStatus::kFrameTooLarge: return LUMEN_ERR_FRAME_TOO_LARGE;
    case PacketizeStatus::kNotInitialized: return LUMEN_ERR_INVALID_STATE;
    default: return LUMEN_ERR_INTERNAL;
  }
}

int lumen_ml_video_depacketizer_create(const lumen_ml_video_depacketizer_config* c,
                                       lumen_ml_video_depacketizer** out) {
  using Cfg = lumen_ml_video_depacketizer_config;
  if (!SizeAtLeast(c, LUMEN_MIN_SIZE(Cfg, key))) return LUMEN_ERR_INVALID_ARGUMENT;
  lumen::moonlight::VideoDepacketizerConfig cfg;
  cfg.packet_size = c->packet_size;
  cfg.encrypted = c->encrypted != 0;
  std::memcpy(cfg.key.data(), c->key, 16);
  if (LUMEN_HAS(c, Cfg, frame_slots) && c->frame_slots != 0) cfg.frame_slots = c->frame_slots;
  if (LUMEN_HAS(c, Cfg, max_frame_shards) && c->max_frame_shards != 0) {
    cfg.max_frame_shards = c->max_frame_shards;
  }
  if (LUMEN_HAS(c, Cfg, frame_timeout_us) && c->frame_timeout_us != 0) {
    cfg.frame_timeout_us = c->frame_timeout_us;
  }
  if (LUMEN_HAS(c, Cfg, wait_for_idr)) cfg.wait_for_idr = c->wait_for_idr != 0;
  return Create(out, [&](lumen_ml_video_depacketizer& d) { return FromAbsl(d.d.Init(cfg)); });
}

void lumen_ml_video_depacketizer_destroy(lumen_ml_video_depacketizer* d) { delete d; }

int lumen_ml_video_depacketizer_push(lumen_ml_video_depacketizer* d, const uint8_t* datagram,
                                     size_t len, uint64_t now_us, lumen_frame_fn on_frame,
                                     void* user) {
  if (d == nullptr || (datagram == nullptr && len != 0)) return LUMEN_ERR_INVALID_ARGUMENT;
  const auto e = d->d.OnDatagram(std::span<const uint8_t>(datagram, len), now_us,
                                 [&](const lumen::moonlight::VideoFrame& f) {
                                   if (on_frame == nullptr) return;
                                   lumen_frame_info info;
                                   LUMEN_INIT(&info);
                                   info.frame_index = f.frame_index;
                                   info.frame_type = f.frame_type;
                                   info.rtp_timestamp = f.rtp_timestamp;
                                   info.recovered_shards = uint32_t(f.recovered_shards);
                                   info.data = f.au.data();
                                   info.len = f.au.size();
                                   on_frame(user, &info);
                                 });
  return e == lumen::moonlight::ParseError::kOk ? LUMEN_OK : LUMEN_ERR_DROPPED;
}

int lumen_ml_video_depacketizer_take_idr_request(lumen_ml_video_depacketizer* d) {
  return d != nullptr && d->d.TakeIdrRequest() ? 1 : 0;
}

int lumen_ml_video_depacketizer_stats(const lumen_ml_video_depacketizer* d,
                                      lumen_ml_video_stats* out) {
  using S = lumen_ml_video_stats;
  if (d == nullptr || !SizeAtLeast(out, LUMEN_MIN_SIZE(S, idr_requests))) {
    return LUMEN_ERR_INVALID_ARGUMENT;
  }
  const auto& s = d->d.stats();
  uint64_t dropped = 0;
  for (uint64_t v : s.drops) dropped += v;
  out->datagrams = s.datagrams;
  out->accepted = s.accepted;
  out->dropped = dropped;
  out->frames_delivered = s.frames_delivered;
  out->frames_recovered = s.frames_recovered;
  out->frames_lost = s.frames_lost;
  out->idr_requests = s.idr_requests;
  return LUMEN_OK;
}

// ---- Moonlight audio ---------------------------------------------------------------------
namespace {
int ReadAudio(const lumen_ml_audio_config* c, int* duration, bool* encrypt,
              std::array<uint8_t, 16>* key, uint32_t* rikeyid, bool* fec) {
  if (!SizeAtLeast(c, LUMEN_MIN_SIZE(lumen_ml_audio_config, rikeyid))) {
    return LUMEN_ERR_INVALID_ARGUMENT;
  }
  *duration = c->packet_duration_ms == 0 ? 5 : c->packet_duration_ms;
  if (*duration != 5 && *duration != 10 && *duration != 20) return LUMEN_ERR_INVALID_ARGUMENT;
  *encrypt = c->encrypt != 0;
  std::memcpy(key->data(), c->key, 16);
  *rikeyid = c->rikeyid;
  *fec = LUMEN_HAS(c, lumen_ml_audio_config, fec) ? c->fec != 0 : true;
  return LUMEN_OK;
}
}  // namespace

int lumen_ml_audio_packetizer_create(const lumen_ml_audio_config* c,
                                     lumen_ml_audio_packetizer** out) {
  lumen::moonlight::AudioPacketizerConfig cfg;
  if (int rc = ReadAudio(c, &cfg.packet_duration_ms, &cfg.encrypt, &cfg.key, &cfg.rikeyid,
                         &cfg.fec);
      rc != LUMEN_OK) {
    return rc;
  }
  return Create(out, [&](lumen_ml_audio_packetizer& p) { return FromAbsl(p.p.Init(cfg)); });
}

void lumen_ml_audio_packetizer_destroy(lumen_ml_audio_packetizer* p) { delete p; }

int lumen_ml_audio_packetize(lumen_ml_audio_packetizer* p, const uint8_t* opus, size_t len,
                             lumen_datagram_fn emit, void* user) {
  if (p == nullptr || emit == nullptr || opus == nullptr || len == 0) {
    return LUMEN_ERR_INVALID_ARGUMENT;
  }
  using lumen::moonlight::AudioStatus;
  const AudioStatus st = p->p.Packetize(
      std::span<const uint8_t>(opus, len),
      [&](std::span<const uint8_t> d) { emit(user, d.data(), d.size()); });
  switch (st) {
    case AudioStatus::kOk: return LUMEN_OK;
    case AudioStatus::kTooLarge: return LUMEN_ERR_FRAME_TOO_LARGE;
    case AudioStatus::kEmpty: return LUMEN_ERR_INVALID_ARGUMENT;
    case AudioStatus::kNotInitialized: return LUMEN_ERR_INVALID_STATE;
    default: return LUMEN_ERR_INTERNAL;
  }
}

int lumen_ml_audio_depacketizer_create(const lumen_ml_audio_config* c,
                                       lumen_ml_audio_depacketizer** out) {
  lumen::moonlight::AudioDepacketizerConfig cfg;
  bool fec_unused = true;
  if (int rc = ReadAudio(c, &cfg.packet_duration_ms, &cfg.encrypted, &cfg.key, &cfg.rikeyid,
                         &fec_unused);
      rc != LUMEN_OK) {
    return rc;
  }
  return Create(out, [&](lumen_ml_audio_depacketizer& d) { return FromAbsl(d.d.Init(cfg)); });
}

void lumen_ml_audio_depacketizer_destroy(lumen_ml_audio_depacketizer* d) { delete d; }

int lumen_ml_audio_depacketizer_push(lumen_ml_audio_depacketizer* d, const uint8_t* datagram,
                                     size_t len, uint64_t now_us, lumen_audio_fn on_packet,
                                     void* user) {
  if (d == nullptr || (datagram == nullptr && len != 0)) return LUMEN_ERR_INVALID_ARGUMENT;
  const auto e = d->d.OnDatagram(std::span<const uint8_t>(datagram, len), now_us,
                                 [&](const lumen::moonlight::AudioPacket& p) {
                                   if (on_packet == nullptr) return;
                                   lumen_audio_packet_info info;
                                   LUMEN_INIT(&info);
                                   info.sequence = p.seq;
                                   info.timestamp = p.timestamp;
                                   info.lost = p.lost ? 1 : 0;
                                   info.recovered = p.recovered ? 1 : 0;
                                   info.opus = p.opus.data();
                                   info.len = p.opus.size();
                                   on_packet(user, &info);
                                 });
  return e == lumen::moonlight::AudioParseError::kOk ? LUMEN_OK : LUMEN_ERR_DROPPED;
}

// ---- lumen transport ---------------------------------------------------------------------
int lumen_lt_derive_keys(const uint8_t launch_secret[16], const uint8_t host_nonce[16],
                         const uint8_t client_nonce[16], uint32_t session_id,
                         uint8_t host_to_client[32], uint8_t client_to_host[32]) {
  if (!launch_secret || !host_nonce || !client_nonce || !host_to_client || !client_to_host) {
    return LUMEN_ERR_INVALID_ARGUMENT;
  }
  if (int rc = FromAbsl(lumen::transport::EnsureSodium()); rc != LUMEN_OK) return rc;
  auto keys = lumen::transport::DeriveKeys(absl::MakeConstSpan(launch_secret, 16),
                                           absl::MakeConstSpan(host_nonce, 16),
                                           absl::MakeConstSpan(client_nonce, 16), session_id);
  if (!keys.ok()) return FromAbsl(keys.status());
  std::memcpy(host_to_client, keys->host_to_client.data(), 32);
  std::memcpy(client_to_host, keys->client_to_host.data(), 32);
  return LUMEN_OK;
}

namespace {
int ReadLt(const lumen_lt_config* c, lumen::transport::Aead* aead, lumen::transport::Key* key,
           size_t* shard_bytes, size_t* max_frame) {
  if (!SizeAtLeast(c, LUMEN_MIN_SIZE(lumen_lt_config, key))) return LUMEN_ERR_INVALID_ARGUMENT;
  if (c->aead > LUMEN_AEAD_XCHACHA20POLY1305) return LUMEN_ERR_INVALID_ARGUMENT;
  if (int rc = FromAbsl(lumen::transport::EnsureSodium()); rc != LUMEN_OK) return rc;
  *aead = PickAead(c->aead);
  if (*aead == lumen::transport::Aead::kAes256Gcm && !lumen::transport::AesGcmAvailable()) {
    return LUMEN_ERR_UNSUPPORTED;
  }
  std::memcpy(key->data(), c->key, 32);
  const uint32_t budget =
      LUMEN_HAS(c, lumen_lt_config, datagram_budget) && c->datagram_budget ? c->datagram_budget
                                                                           : 1408;
  *shard_bytes = lumen::transport::ShardBytesForBudget(budget);
  if (*shard_bytes == 0) return LUMEN_ERR_INVALID_ARGUMENT;
  *max_frame = LUMEN_HAS(c, lumen_lt_config, max_frame_bytes) && c->max_frame_bytes
                   ? size_t(c->max_frame_bytes)
                   : size_t(8) << 20;
  if (*max_frame > (size_t(1) << 30)) return LUMEN_ERR_INVALID_ARGUMENT;
  return LUMEN_OK;
}
}  // namespace

int lumen_lt_sender_create(const lumen_lt_config* c, lumen_lt_sender** out) {
  lumen::transport::Aead aead;
  lumen::transport::Key key;
  lumen::transport::SenderConfig cfg;
  if (int rc = ReadLt(c, &aead, &key, &cfg.shard_bytes, &cfg.max_frame_bytes); rc != LUMEN_OK) {
    return rc;
  }
  cfg.session_id = c->session_id;
  return Create(out, [&](lumen_lt_sender& s) -> int {
    if (int rc = FromAbsl(s.s.Init(cfg, aead, key)); rc != LUMEN_OK) return rc;
    // Room for the largest frame with m <= k (100 % FEC) plus the parity floor.
    const size_t k_max = (cfg.max_frame_bytes + cfg.shard_bytes - 1) / cfg.shard_bytes;
    s.max_datagrams = std::min<size_t>(2 * k_max + cfg.min_parity, 65535);
    s.out.resize(s.max_datagrams * s.s.datagram_bytes());
    return LUMEN_OK;
  });
}

void lumen_lt_sender_destroy(lumen_lt_sender* s) { delete s; }

size_t lumen_lt_sender_datagram_bytes(const lumen_lt_sender* s) {
  return s == nullptr ? 0 : s->s.datagram_bytes();
}

int lumen_lt_send_frame(lumen_lt_sender* s, const uint8_t* frame, size_t len, uint32_t frame_id,
                        uint32_t parity_shards, uint32_t keyframe, lumen_datagram_fn emit,
                        void* user) {
  if (s == nullptr || frame == nullptr || emit == nullptr) return LUMEN_ERR_INVALID_ARGUMENT;
  uint32_t count = 0;
  const size_t stride = s->s.datagram_bytes();
  using lumen::transport::SendStatus;
  const SendStatus st = s->s.PacketizeFrame(
      frame, len, frame_id, parity_shards, keyframe ? lumen::transport::kFlagKeyframe : 0,
      s->out.data(), stride, s->max_datagrams, &count);
  switch (st) {
    case SendStatus::kOk: break;
    case SendStatus::kEmptyFrame: return LUMEN_ERR_INVALID_ARGUMENT;
    case SendStatus::kFrameTooLarge:
    case SendStatus::kTooManyShards: return LUMEN_ERR_FRAME_TOO_LARGE;
    case SendStatus::kOutputTooSmall: return LUMEN_ERR_BUFFER_TOO_SMALL;
    case SendStatus::kNotInitialized: return LUMEN_ERR_INVALID_STATE;
    default: return LUMEN_ERR_INTERNAL;
  }
  for (uint32_t i = 0; i < count; ++i) emit(user, s->out.data() + size_t(i) * stride, stride);
  return LUMEN_OK;
}

int lumen_lt_receiver_create(const lumen_lt_config* c, lumen_lt_receiver** out) {
  lumen::transport::Aead aead;
  lumen::transport::Key key;
  lumen::transport::ReceiverConfig cfg;
  if (int rc = ReadLt(c, &aead, &key, &cfg.max_shard_bytes, &cfg.max_frame_bytes);
      rc != LUMEN_OK) {
    return rc;
  }
  cfg.session_id = c->session_id;
  return Create(out, [&](lumen_lt_receiver& r) { return FromAbsl(r.r.Init(cfg, aead, key)); });
}

void lumen_lt_receiver_destroy(lumen_lt_receiver* r) { delete r; }

int lumen_lt_receiver_push(lumen_lt_receiver* r, const uint8_t* datagram, size_t len,
                           lumen_frame_fn on_frame, void* user) {
  if (r == nullptr || (datagram == nullptr && len != 0)) return LUMEN_ERR_INVALID_ARGUMENT;
  lumen::transport::ReceivedFrame f;
  using lumen::transport::RxStatus;
  const RxStatus st = r->r.Receive(datagram, len, &f, nullptr);
  if (st == RxStatus::kDropped) return LUMEN_ERR_DROPPED;
  if (st == RxStatus::kFrameComplete && on_frame != nullptr) {
    lumen_frame_info info;
    LUMEN_INIT(&info);
    info.frame_index = f.frame_id;
    info.frame_type = f.flags;
    info.recovered_shards = f.recovered ? 1 : 0;
    info.data = f.data;
    info.len = f.len;
    on_frame(user, &info);
  }
  return LUMEN_OK;
}

int lumen_lt_receiver_take_need_idr(lumen_lt_receiver* r) {
  if (r == nullptr || !r->r.need_idr()) return 0;
  r->r.ClearNeedIdr();
  return 1;
}

// ---- session -----------------------------------------------------------------------------
int lumen_host_session_create(const lumen_host_session_config* c, lumen_host_session** out) {
  if (!SizeAtLeast(c, LUMEN_MIN_SIZE(lumen_host_session_config, lumen_transport))) {
    return LUMEN_ERR_INVALID_ARGUMENT;
  }
  return Create(out, [&](lumen_host_session& s) -> int {
    s.s = std::make_unique<lumen::session::HostSession>(c->lumen_transport != 0);
    return LUMEN_OK;
  });
}

void lumen_host_session_destroy(lumen_host_session* s) { delete s; }

int lumen_host_session_event(lumen_host_session* s, uint32_t event, uint32_t lumen_accept_valid,
                             uint64_t now_us, uint32_t* actions, size_t* action_count) {
  if (s == nullptr || action_count == nullptr || (actions == nullptr && *action_count != 0) ||
      event > LUMEN_HOST_EV_TICK || now_us > uint64_t(std::numeric_limits<int64_t>::max())) {
    return LUMEN_ERR_INVALID_ARGUMENT;
  }
  if (*action_count < LUMEN_HOST_MAX_ACTIONS) return LUMEN_ERR_BUFFER_TOO_SMALL;
  lumen::session::HostEvent ev;
  ev.type = static_cast<lumen::session::HostEventType>(event);
  ev.lumen_accept_valid = lumen_accept_valid != 0;
  absl::StatusOr<lumen::session::HostActions> r;
  try {
    r = s->s->OnEvent(ev, absl::FromUnixMicros(int64_t(now_us)));
  } catch (...) {
    return LUMEN_ERR_INTERNAL;
  }
  if (!r.ok()) {
    s->last_error = std::string(r.status().message());
    *action_count = 0;
    return LUMEN_ERR_INVALID_STATE;
  }
  size_t n = 0;
  for (lumen::session::HostAction a : *r) actions[n++] = uint32_t(a);
  *action_count = n;
  return LUMEN_OK;
}

const char* lumen_host_session_state(const lumen_host_session* s) {
  return s == nullptr ? "" : lumen::session::HostStateName(s->s->state());
}

const char* lumen_host_session_last_error(const lumen_host_session* s) {
  return s == nullptr ? "" : s->last_error.c_str();
}

uint64_t lumen_host_session_next_deadline_us(const lumen_host_session* s) {
  if (s == nullptr) return UINT64_MAX;
  const absl::Time t = s->s->next_deadline();
  if (t == absl::InfiniteFuture()) return UINT64_MAX;
  const int64_t us = absl::ToUnixMicros(t);
  return us < 0 ? 0 : uint64_t(us);
}

}  // extern "C"

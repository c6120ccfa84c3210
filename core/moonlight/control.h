// core/moonlight/control.h — Moonlight control-stream (ENet channel) message codec, §6.
//
// Three layers, all pure encode/decode over caller buffers:
//   1. Framing. Legacy "V1" frames are LE16 type + payload (clients talking to hosts older than
//      7.1.431). Encrypted frames (7.1.431+, both directions) are
//        LE16 0x0001 | LE16 len = 4+16+4+N | LE32 seq | tag[16] | GCM(LE16 type, LE16 N, payload[N])
//      with AES-128-GCM, key = rikey, no AAD, and either the V2 12-byte IV
//      {LE32 seq, 0 x 6, 'C' or 'H' (sender: client or host), 'C'} or the legacy 16-byte IV
//      {seq & 0xFF, 0 x 15}. ControlCipher keeps one send counter and checks nothing about order.
//   2. Message type numbers for each protocol generation (ControlTypes).
//   3. Payload structs with Encode/Decode for every message the host sends or must understand.
//      Payload fields are little-endian except the termination HRESULT and the FEC-status
//      message, which are big-endian (noted per struct).
//
// Decoders accept payloads longer than the minimum (later protocol revisions append fields) and
// reject shorter ones with ControlError::kTruncated. Encoders return the number of bytes
// written, or 0 when `out` is too small. Nothing allocates; nothing throws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <variant>

#include "core/crypto/aes.h"
#include "core/moonlight/wire.h"

namespace lumen::moonlight::control {

enum class ControlError : uint8_t {
  kOk = 0,
  kTruncated,       // shorter than the header or the message's fixed payload
  kBadLength,       // a length field disagrees with the packet size
  kNotEncrypted,    // a plaintext frame arrived on an encrypted stream (type != 0x0001)
  kBadInnerType,    // decrypted inner type is 0x0001
  kDecryptFailed,   // GCM authentication failed
  kBufferTooSmall,  // caller's output buffer cannot hold the result
  kUnknownType,
  kCount
};

// Which side sends. Selects the V2 IV direction letter.
enum class Direction : uint8_t { kClientToHost, kHostToClient };

// ---- Message type numbers ---------------------------------------------------------------------

inline constexpr uint16_t kEncryptedWrapper = 0x0001;
// Client -> host.
inline constexpr uint16_t kRequestIdr = 0x0302;          // also "Start A" on encrypted streams
inline constexpr uint16_t kStartALegacy = 0x0305;        // Gen 5/7 unencrypted Start A
inline constexpr uint16_t kStartB = 0x0307;
inline constexpr uint16_t kInvalidateRefFrames = 0x0301;
inline constexpr uint16_t kLossStats = 0x0201;           // hosts < 7.1.415 only
inline constexpr uint16_t kFrameStats = 0x0204;
inline constexpr uint16_t kPeriodicPing = 0x0200;
inline constexpr uint16_t kInputData = 0x0206;
inline constexpr uint16_t kFecStatus = 0x5502;           // client -> host meaning of 0x5502
inline constexpr uint16_t kLtrFrameAck = 0x0350;
// Host -> client.
inline constexpr uint16_t kRumble = 0x010b;
inline constexpr uint16_t kTerminationLegacy = 0x0100;
inline constexpr uint16_t kTerminationExtended = 0x0109;
inline constexpr uint16_t kHdrMode = 0x010e;
inline constexpr uint16_t kRumbleTriggers = 0x5500;
inline constexpr uint16_t kSetMotionEvent = 0x5501;
inline constexpr uint16_t kSetRgbLed = 0x5502;           // host -> client meaning of 0x5502
inline constexpr uint16_t kAdaptiveTriggers = 0x5503;

// Termination HRESULTs (BE32 on the wire).
inline constexpr uint32_t kTerminationGraceful = 0x80030023;
inline constexpr uint32_t kTerminationFrameConversion = 0x800E9403;
inline constexpr uint32_t kTerminationProtectedContent = 0x800E9302;
inline constexpr uint16_t kTerminationLegacyGraceful = 0x0100;

// Control-stream generation, from the host's appversion (doc §10.2).
enum class Generation : uint8_t {
  kGen7 = 0,       // 7.x below 7.1.431: V1 framing, no encryption, Start A = 0x0305
  kGen7Encrypted,  // 7.1.431 and later: encrypted framing, Start A = 0x0302
};

inline constexpr Generation GenerationForVersion(int major, int minor, int patch) noexcept {
  if (major > 7) return Generation::kGen7Encrypted;
  if (major == 7 && (minor > 1 || (minor == 1 && patch >= 431))) {
    return Generation::kGen7Encrypted;
  }
  return Generation::kGen7;
}

// Type numbers that differ between generations.
struct ControlTypes {
  uint16_t start_a;
  uint16_t request_idr;
  uint16_t termination;
};
inline constexpr ControlTypes TypesFor(Generation g) noexcept {
  return g == Generation::kGen7Encrypted
             ? ControlTypes{kRequestIdr, kRequestIdr, kTerminationExtended}
             : ControlTypes{kStartALegacy, kRequestIdr, kTerminationLegacy};
}

// ---- 1. Framing -------------------------------------------------------------------------------

inline constexpr size_t kV1HeaderSize = 2;
inline constexpr size_t kEncHeaderSize = 4 + 4 + ::lumen::crypto::kGcmTagSize;  // type, len, seq, tag
inline constexpr size_t kInnerHeaderSize = 4;                           // LE16 type, LE16 N
inline constexpr size_t kMaxPayload = 0xFFFF - 4 - 16 - 4;

// V1 (unencrypted) frame. Returns bytes written or 0.
inline size_t EncodeV1(uint16_t type, std::span<const uint8_t> payload,
                       std::span<uint8_t> out) noexcept {
  if (out.size() < kV1HeaderSize + payload.size()) return 0;
  StoreLe16(out.data(), type);
  if (!payload.empty()) std::memcpy(out.data() + kV1HeaderSize, payload.data(), payload.size());
  return kV1HeaderSize + payload.size();
}

struct ControlFrame {
  uint16_t type = 0;
  std::span<const uint8_t> payload;  // points into the input (V1) or the caller's plain buffer
};

inline ControlError DecodeV1(std::span<const uint8_t> packet, ControlFrame* out) noexcept {
  if (packet.size() < kV1HeaderSize) return ControlError::kTruncated;
  out->type = LoadLe16(packet.data());
  out->payload = packet.subspan(kV1HeaderSize);
  return ControlError::kOk;
}

// Encrypted framing with one key and one send-sequence counter per direction.
class ControlCipher {
 public:
  // local: the direction this side sends in (a host passes kHostToClient).
  // v2_iv: SS_ENC_CONTROL_V2 negotiated (12-byte IV); false selects the legacy 16-byte IV.
  bool Init(std::span<const uint8_t, 16> key, Direction local, bool v2_iv) noexcept {
    local_ = local;
    v2_ = v2_iv;
    send_seq_ = 0;
    return gcm_.SetKey(key);
  }

  // Encrypted size of a message with an N-byte payload.
  static constexpr size_t SealedSize(size_t payload) noexcept {
    return kEncHeaderSize + kInnerHeaderSize + payload;
  }

  // Seals {type, payload} with the next send sequence number. Returns bytes written or 0.
  size_t Seal(uint16_t type, std::span<const uint8_t> payload, std::span<uint8_t> out) noexcept {
    const size_t n = SealWithSeq(send_seq_, type, payload, out);
    if (n != 0) ++send_seq_;
    return n;
  }

  // Same with an explicit sequence number (tests, retransmission of a recorded frame).
  size_t SealWithSeq(uint32_t seq, uint16_t type, std::span<const uint8_t> payload,
                     std::span<uint8_t> out) noexcept {
    if (payload.size() > kMaxPayload || out.size() < SealedSize(payload.size())) return 0;
    uint8_t* o = out.data();
    StoreLe16(o, kEncryptedWrapper);
    StoreLe16(o + 2, static_cast<uint16_t>(4 + 16 + kInnerHeaderSize + payload.size()));
    StoreLe32(o + 4, seq);
    uint8_t* plain = o + kEncHeaderSize;
    StoreLe16(plain, type);
    StoreLe16(plain + 2, static_cast<uint16_t>(payload.size()));
    if (!payload.empty()) std::memmove(plain + kInnerHeaderSize, payload.data(), payload.size());
    uint8_t iv[16];
    const size_t iv_len = MakeIv(seq, local_, iv);
    if (!gcm_.Seal(std::span<const uint8_t>(iv, iv_len),
                   std::span<const uint8_t>(plain, kInnerHeaderSize + payload.size()), plain,
                   o + 8)) {
      return 0;
    }
    return SealedSize(payload.size());
  }

  // Opens a frame sent by the peer. `plain` receives the inner header and payload (it must hold
  // packet.size() - 24 bytes); out->payload points into it.
  ControlError Open(std::span<const uint8_t> packet, std::span<uint8_t> plain,
                    ControlFrame* out, uint32_t* seq_out = nullptr) noexcept {
    if (packet.size() < 4) return ControlError::kTruncated;
    if (LoadLe16(packet.data()) != kEncryptedWrapper) return ControlError::kNotEncrypted;
    if (packet.size() < kEncHeaderSize + kInnerHeaderSize) return ControlError::kTruncated;
    if (LoadLe16(packet.data() + 2) + 4u != packet.size()) return ControlError::kBadLength;
    const uint32_t seq = LoadLe32(packet.data() + 4);
    const size_t clen = packet.size() - kEncHeaderSize;
    if (plain.size() < clen) return ControlError::kBufferTooSmall;
    uint8_t iv[16];
    const Direction peer =
        local_ == Direction::kHostToClient ? Direction::kClientToHost : Direction::kHostToClient;
    const size_t iv_len = MakeIv(seq, peer, iv);
    if (!gcm_.Open(std::span<const uint8_t>(iv, iv_len),
                   std::span<const uint8_t>(packet.data() + kEncHeaderSize, clen),
                   packet.data() + 8, plain.data())) {
      return ControlError::kDecryptFailed;
    }
    const uint16_t type = LoadLe16(plain.data());
    const uint16_t n = LoadLe16(plain.data() + 2);
    if (n + kInnerHeaderSize != clen) return ControlError::kBadLength;
    if (type == kEncryptedWrapper) return ControlError::kBadInnerType;
    out->type = type;
    out->payload = std::span<const uint8_t>(plain.data() + kInnerHeaderSize, n);
    if (seq_out != nullptr) *seq_out = seq;
    return ControlError::kOk;
  }

  uint32_t send_seq() const noexcept { return send_seq_; }

  // The IV for `seq` sent in direction `dir`; returns its length (12 for V2, 16 legacy).
  size_t MakeIv(uint32_t seq, Direction dir, uint8_t iv[16]) const noexcept {
    std::memset(iv, 0, 16);
    if (!v2_) {
      iv[0] = static_cast<uint8_t>(seq & 0xFF);
      return 16;
    }
    StoreLe32(iv, seq);
    iv[10] = dir == Direction::kClientToHost ? 'C' : 'H';
    iv[11] = 'C';
    return 12;
  }

 private:
  ::lumen::crypto::AesGcm128 gcm_;
  Direction local_ = Direction::kHostToClient;
  bool v2_ = true;
  uint32_t send_seq_ = 0;
};

// ---- 3. Payloads ------------------------------------------------------------------------------

namespace detail {
inline bool Fits(std::span<uint8_t> out, size_t n) noexcept { return out.size() >= n; }
}  // namespace detail

// 0x0302 / 0x0305: two zero bytes.
struct RequestIdr {
  static constexpr size_t kSize = 2;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    out[0] = out[1] = 0;
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, RequestIdr*) noexcept {
    return p.size() >= kSize ? ControlError::kOk : ControlError::kTruncated;
  }
};

// 0x0307: one zero byte.
struct StartB {
  static constexpr size_t kSize = 1;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    out[0] = 0;
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, StartB*) noexcept {
    return p.size() >= kSize ? ControlError::kOk : ControlError::kTruncated;
  }
};

// 0x0301: LE64 firstFrame, LE64 lastFrame (inclusive), LE64 0.
struct InvalidateRefFrames {
  static constexpr size_t kSize = 24;
  uint64_t first_frame = 0;
  uint64_t last_frame = 0;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    StoreLe64(out.data(), first_frame);
    StoreLe64(out.data() + 8, last_frame);
    StoreLe64(out.data() + 16, 0);
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, InvalidateRefFrames* m) noexcept {
    if (p.size() < kSize) return ControlError::kTruncated;
    m->first_frame = LoadLe64(p.data());
    m->last_frame = LoadLe64(p.data() + 8);
    return ControlError::kOk;
  }
};

// 0x0200: LE16 4, LE32 0, 2 undefined bytes (sent as zero).
struct PeriodicPing {
  static constexpr size_t kSize = 8;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    std::memset(out.data(), 0, kSize);
    StoreLe16(out.data(), 4);
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, PeriodicPing*) noexcept {
    return p.size() >= kSize ? ControlError::kOk : ControlError::kTruncated;
  }
};

// 0x0201 (hosts < 7.1.415): LE32 lossCount, LE32 intervalMs, LE32 1000, LE64 lastGoodFrame,
// LE32 0, LE32 0, LE32 0x14.
struct LossStats {
  static constexpr size_t kSize = 32;
  uint32_t loss_count = 0;
  uint32_t interval_ms = 50;
  uint64_t last_good_frame = 0;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    uint8_t* o = out.data();
    StoreLe32(o, loss_count);
    StoreLe32(o + 4, interval_ms);
    StoreLe32(o + 8, 1000);
    StoreLe64(o + 12, last_good_frame);
    StoreLe32(o + 20, 0);
    StoreLe32(o + 24, 0);
    StoreLe32(o + 28, 0x14);
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, LossStats* m) noexcept {
    if (p.size() < kSize) return ControlError::kTruncated;
    m->loss_count = LoadLe32(p.data());
    m->interval_ms = LoadLe32(p.data() + 4);
    m->last_good_frame = LoadLe64(p.data() + 12);
    return ControlError::kOk;
  }
};

// 0x5502 client -> host (Sunshine extension), all big-endian, 21 bytes.
struct FecStatus {
  static constexpr size_t kSize = 21;
  uint32_t frame_index = 0;
  uint16_t highest_received_seq = 0;
  uint16_t next_contiguous_seq = 0;
  uint16_t missing_before_highest = 0;
  uint16_t total_data = 0;
  uint16_t total_parity = 0;
  uint16_t received_data = 0;
  uint16_t received_parity = 0;
  uint8_t fec_percentage = 0;
  uint8_t block_index = 0;
  uint8_t block_count = 0;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    uint8_t* o = out.data();
    StoreBe32(o, frame_index);
    StoreBe16(o + 4, highest_received_seq);
    StoreBe16(o + 6, next_contiguous_seq);
    StoreBe16(o + 8, missing_before_highest);
    StoreBe16(o + 10, total_data);
    StoreBe16(o + 12, total_parity);
    StoreBe16(o + 14, received_data);
    StoreBe16(o + 16, received_parity);
    o[18] = fec_percentage;
    o[19] = block_index;
    o[20] = block_count;
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, FecStatus* m) noexcept {
    if (p.size() < kSize) return ControlError::kTruncated;
    const uint8_t* i = p.data();
    m->frame_index = LoadBe32(i);
    m->highest_received_seq = LoadBe16(i + 4);
    m->next_contiguous_seq = LoadBe16(i + 6);
    m->missing_before_highest = LoadBe16(i + 8);
    m->total_data = LoadBe16(i + 10);
    m->total_parity = LoadBe16(i + 12);
    m->received_data = LoadBe16(i + 14);
    m->received_parity = LoadBe16(i + 16);
    m->fec_percentage = i[18];
    m->block_index = i[19];
    m->block_count = i[20];
    return ControlError::kOk;
  }
};

// 0x0350 (Sunshine extension): LE32 frameIndex, LE32 0.
struct LtrFrameAck {
  static constexpr size_t kSize = 8;
  uint32_t frame_index = 0;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    StoreLe32(out.data(), frame_index);
    StoreLe32(out.data() + 4, 0);
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, LtrFrameAck* m) noexcept {
    if (p.size() < 4) return ControlError::kTruncated;
    m->frame_index = LoadLe32(p.data());
    return ControlError::kOk;
  }
};

// 0x010b: 4 unused bytes (Sunshine writes 0xC0FFEE), LE16 controller, LE16 low, LE16 high.
struct Rumble {
  static constexpr size_t kSize = 10;
  uint16_t controller = 0;
  uint16_t low_freq = 0;
  uint16_t high_freq = 0;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    StoreLe32(out.data(), 0xC0FFEE);
    StoreLe16(out.data() + 4, controller);
    StoreLe16(out.data() + 6, low_freq);
    StoreLe16(out.data() + 8, high_freq);
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, Rumble* m) noexcept {
    if (p.size() < kSize) return ControlError::kTruncated;
    m->controller = LoadLe16(p.data() + 4);
    m->low_freq = LoadLe16(p.data() + 6);
    m->high_freq = LoadLe16(p.data() + 8);
    return ControlError::kOk;
  }
};

// 0x5500: LE16 controller, LE16 left trigger, LE16 right trigger.
struct RumbleTriggers {
  static constexpr size_t kSize = 6;
  uint16_t controller = 0;
  uint16_t left = 0;
  uint16_t right = 0;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    StoreLe16(out.data(), controller);
    StoreLe16(out.data() + 2, left);
    StoreLe16(out.data() + 4, right);
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, RumbleTriggers* m) noexcept {
    if (p.size() < kSize) return ControlError::kTruncated;
    m->controller = LoadLe16(p.data());
    m->left = LoadLe16(p.data() + 2);
    m->right = LoadLe16(p.data() + 4);
    return ControlError::kOk;
  }
};

// 0x5501: LE16 controller, LE16 reportRateHz (0 = stop), u8 motionType (1 accel, 2 gyro).
struct SetMotionEvent {
  static constexpr size_t kSize = 5;
  uint16_t controller = 0;
  uint16_t report_rate_hz = 0;
  uint8_t motion_type = 0;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    StoreLe16(out.data(), controller);
    StoreLe16(out.data() + 2, report_rate_hz);
    out[4] = motion_type;
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, SetMotionEvent* m) noexcept {
    if (p.size() < kSize) return ControlError::kTruncated;
    m->controller = LoadLe16(p.data());
    m->report_rate_hz = LoadLe16(p.data() + 2);
    m->motion_type = p[4];
    return ControlError::kOk;
  }
};

// 0x5502 host -> client: LE16 controller, u8 r, g, b.
struct SetRgbLed {
  static constexpr size_t kSize = 5;
  uint16_t controller = 0;
  uint8_t r = 0, g = 0, b = 0;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    StoreLe16(out.data(), controller);
    out[2] = r;
    out[3] = g;
    out[4] = b;
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, SetRgbLed* m) noexcept {
    if (p.size() < kSize) return ControlError::kTruncated;
    m->controller = LoadLe16(p.data());
    m->r = p[2];
    m->g = p[3];
    m->b = p[4];
    return ControlError::kOk;
  }
};

// 0x5503: LE16 controller, u8 eventFlags (0x04 right, 0x08 left), u8 typeLeft, u8 typeRight,
// 10 bytes left effect, 10 bytes right effect.
struct AdaptiveTriggers {
  static constexpr size_t kSize = 25;
  uint16_t controller = 0;
  uint8_t event_flags = 0;
  uint8_t type_left = 0;
  uint8_t type_right = 0;
  std::array<uint8_t, 10> left{};
  std::array<uint8_t, 10> right{};
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    StoreLe16(out.data(), controller);
    out[2] = event_flags;
    out[3] = type_left;
    out[4] = type_right;
    std::memcpy(out.data() + 5, left.data(), 10);
    std::memcpy(out.data() + 15, right.data(), 10);
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, AdaptiveTriggers* m) noexcept {
    if (p.size() < kSize) return ControlError::kTruncated;
    m->controller = LoadLe16(p.data());
    m->event_flags = p[2];
    m->type_left = p[3];
    m->type_right = p[4];
    std::memcpy(m->left.data(), p.data() + 5, 10);
    std::memcpy(m->right.data(), p.data() + 15, 10);
    return ControlError::kOk;
  }
};

// 0x010e: u8 enabled + SS_HDR_METADATA (13 x LE16).
struct HdrMode {
  static constexpr size_t kSize = 27;
  bool enabled = false;
  // Display primaries red/green/blue and white point, x then y, in units of 1/50000.
  std::array<uint16_t, 3 * 2> primaries{};
  std::array<uint16_t, 2> white_point{};
  uint16_t max_display_luminance = 0;      // nits
  uint16_t min_display_luminance = 0;      // 1/10000 nit
  uint16_t max_content_light_level = 0;
  uint16_t max_frame_average_light_level = 0;
  uint16_t max_full_frame_luminance = 0;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (!detail::Fits(out, kSize)) return 0;
    uint8_t* o = out.data();
    o[0] = enabled ? 1 : 0;
    size_t at = 1;
    for (uint16_t v : primaries) StoreLe16(o + at, v), at += 2;
    for (uint16_t v : white_point) StoreLe16(o + at, v), at += 2;
    for (uint16_t v : {max_display_luminance, min_display_luminance, max_content_light_level,
                       max_frame_average_light_level, max_full_frame_luminance}) {
      StoreLe16(o + at, v);
      at += 2;
    }
    return kSize;
  }
  static ControlError Decode(std::span<const uint8_t> p, HdrMode* m) noexcept {
    if (p.size() < 1) return ControlError::kTruncated;
    m->enabled = p[0] != 0;
    if (p.size() < kSize) {
      // Clients only read the metadata from Sunshine-style hosts; a bare flag is valid.
      *m = HdrMode{};
      m->enabled = p[0] != 0;
      return ControlError::kOk;
    }
    size_t at = 1;
    for (auto& v : m->primaries) v = LoadLe16(p.data() + at), at += 2;
    for (auto& v : m->white_point) v = LoadLe16(p.data() + at), at += 2;
    for (uint16_t* v : {&m->max_display_luminance, &m->min_display_luminance,
                        &m->max_content_light_level, &m->max_frame_average_light_level,
                        &m->max_full_frame_luminance}) {
      *v = LoadLe16(p.data() + at);
      at += 2;
    }
    return ControlError::kOk;
  }
};

// 0x0109 (extended): BE32 HRESULT. 0x0100 (legacy): LE16 reason (0x0100 = graceful).
// Decode accepts either form: 4+ bytes are an HRESULT, 2..3 bytes a legacy reason.
struct Termination {
  bool extended = true;
  uint32_t hresult = kTerminationGraceful;   // extended form
  uint16_t legacy_reason = kTerminationLegacyGraceful;
  size_t Encode(std::span<uint8_t> out) const noexcept {
    if (extended) {
      if (!detail::Fits(out, 4)) return 0;
      StoreBe32(out.data(), hresult);
      return 4;
    }
    if (!detail::Fits(out, 2)) return 0;
    StoreLe16(out.data(), legacy_reason);
    return 2;
  }
  static ControlError Decode(std::span<const uint8_t> p, Termination* m) noexcept {
    if (p.size() >= 4) {
      m->extended = true;
      m->hresult = LoadBe32(p.data());
      return ControlError::kOk;
    }
    if (p.size() >= 2) {
      m->extended = false;
      m->legacy_reason = LoadLe16(p.data());
      return ControlError::kOk;
    }
    return ControlError::kTruncated;
  }
  bool graceful() const noexcept {
    return extended ? hresult == kTerminationGraceful
                    : legacy_reason == kTerminationLegacyGraceful;
  }
};

// ---- Dispatch helpers -------------------------------------------------------------------------

// The raw input packet carried by 0x0206 (decode it with core/moonlight/input.h).
struct InputPayload {
  std::span<const uint8_t> bytes;
};
struct StartA {};
struct FrameStats {
  std::span<const uint8_t> bytes;
};

// Everything a host can receive from a client.
using HostBoundMessage = std::variant<StartA, RequestIdr, StartB, InvalidateRefFrames,
                                      PeriodicPing, LossStats, FrameStats, InputPayload, FecStatus,
                                      LtrFrameAck>;

// Decodes a client->host frame. On encrypted (Gen7Encrypted) streams 0x0302 is a RequestIdr
// (the first one after connecting doubles as Start A); on Gen7 0x0305 is StartA.
inline ControlError DecodeHostBound(const ControlFrame& f, HostBoundMessage* out) noexcept {
  ControlError e = ControlError::kOk;
  switch (f.type) {
    case kStartALegacy:
      *out = StartA{};
      return f.payload.size() >= 2 ? ControlError::kOk : ControlError::kTruncated;
    case kRequestIdr: {
      RequestIdr m;
      e = RequestIdr::Decode(f.payload, &m);
      *out = m;
      return e;
    }
    case kStartB: {
      StartB m;
      e = StartB::Decode(f.payload, &m);
      *out = m;
      return e;
    }
    case kInvalidateRefFrames: {
      InvalidateRefFrames m;
      e = InvalidateRefFrames::Decode(f.payload, &m);
      *out = m;
      return e;
    }
    case kPeriodicPing: {
      PeriodicPing m;
      e = PeriodicPing::Decode(f.payload, &m);
      *out = m;
      return e;
    }
    case kLossStats: {
      LossStats m;
      e = LossStats::Decode(f.payload, &m);
      *out = m;
      return e;
    }
    case kFrameStats:
      *out = FrameStats{f.payload};
      return ControlError::kOk;
    case kInputData:
      *out = InputPayload{f.payload};
      return f.payload.size() >= 8 ? ControlError::kOk : ControlError::kTruncated;
    case kFecStatus: {
      FecStatus m;
      e = FecStatus::Decode(f.payload, &m);
      *out = m;
      return e;
    }
    case kLtrFrameAck: {
      LtrFrameAck m;
      e = LtrFrameAck::Decode(f.payload, &m);
      *out = m;
      return e;
    }
    default:
      return ControlError::kUnknownType;
  }
}

// Everything a client can receive from a host.
using ClientBoundMessage = std::variant<Rumble, RumbleTriggers, SetMotionEvent, SetRgbLed,
                                        AdaptiveTriggers, HdrMode, Termination>;

inline ControlError DecodeClientBound(const ControlFrame& f, ClientBoundMessage* out) noexcept {
  auto one = [&](auto m) {
    const ControlError e = decltype(m)::Decode(f.payload, &m);
    *out = m;
    return e;
  };
  switch (f.type) {
    case kRumble: return one(Rumble{});
    case kRumbleTriggers: return one(RumbleTriggers{});
    case kSetMotionEvent: return one(SetMotionEvent{});
    case kSetRgbLed: return one(SetRgbLed{});
    case kAdaptiveTriggers: return one(AdaptiveTriggers{});
    case kHdrMode: return one(HdrMode{});
    case kTerminationExtended:
    case kTerminationLegacy: return one(Termination{});
    default: return ControlError::kUnknownType;
  }
}

// Type number to send a ClientBoundMessage under generation g.
inline uint16_t TypeOf(const ClientBoundMessage& m, Generation g) noexcept {
  switch (m.index()) {
    case 0: return kRumble;
    case 1: return kRumbleTriggers;
    case 2: return kSetMotionEvent;
    case 3: return kSetRgbLed;
    case 4: return kAdaptiveTriggers;
    case 5: return kHdrMode;
    default: return TypesFor(g).termination;
  }
}

// Encodes a ClientBoundMessage payload; returns bytes written or 0.
inline size_t EncodePayload(const ClientBoundMessage& m, std::span<uint8_t> out) noexcept {
  return std::visit([&](const auto& x) { return x.Encode(out); }, m);
}

}  // namespace lumen::moonlight::control

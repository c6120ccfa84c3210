// Control-stream framing (see control_framing.h).
#include "host/moonlight/control/control_framing.h"

#include <cstring>

#include "core/moonlight/wire.h"

namespace lumen::moonlight::control {

const char* ControlErrorName(ControlError e) {
  switch (e) {
    case ControlError::kOk: return "ok";
    case ControlError::kTruncated: return "truncated";
    case ControlError::kNotEncrypted: return "not encrypted";
    case ControlError::kBadLength: return "bad length";
    case ControlError::kTooLarge: return "too large";
    case ControlError::kDecryptFailed: return "decrypt failed";
    case ControlError::kNestedWrapper: return "nested wrapper";
    case ControlError::kCount: break;
  }
  return "unknown";
}

ControlCodec::ControlCodec(bool encrypted, bool v2, bool is_host,
                           const std::array<uint8_t, 16>& key)
    : encrypted_(encrypted), v2_(v2), is_host_(is_host) {
  if (encrypted_) gcm_.SetKey(key);
}

void ControlCodec::MakeIv(uint32_t seq, char dir, uint8_t* iv, size_t* iv_len) const {
  std::memset(iv, 0, 16);
  if (v2_) {
    StoreLe32(iv, seq);
    iv[10] = static_cast<uint8_t>(dir);
    iv[11] = 'C';
    *iv_len = 12;
  } else {
    iv[0] = static_cast<uint8_t>(seq & 0xff);
    *iv_len = 16;
  }
}

std::vector<uint8_t> ControlCodec::Seal(uint16_t type, std::span<const uint8_t> payload) {
  if (!encrypted_) {
    std::vector<uint8_t> out(2 + payload.size());
    StoreLe16(out.data(), type);
    if (!payload.empty()) std::memcpy(out.data() + 2, payload.data(), payload.size());
    return out;
  }
  const size_t n = payload.size();
  std::vector<uint8_t> out(kEncryptedOverhead + n);
  uint8_t* o = out.data();
  StoreLe16(o, kTypeEncrypted);
  StoreLe16(o + 2, static_cast<uint16_t>(4 + 16 + 4 + n));
  const uint32_t seq = send_seq_++;
  StoreLe32(o + 4, seq);
  uint8_t* ct = o + 24;
  StoreLe16(ct, type);
  StoreLe16(ct + 2, static_cast<uint16_t>(n));
  if (n) std::memcpy(ct + 4, payload.data(), n);
  uint8_t iv[16];
  size_t iv_len = 0;
  MakeIv(seq, is_host_ ? 'H' : 'C', iv, &iv_len);
  gcm_.Seal(std::span<const uint8_t>(iv, iv_len), std::span<const uint8_t>(ct, 4 + n), ct, o + 8);
  return out;
}

ControlError ControlCodec::Open(std::span<const uint8_t> p, ControlMessage* out) {
  if (p.size() < 2) return ControlError::kTruncated;
  const uint16_t outer = LoadLe16(p.data());
  if (!encrypted_) {
    if (p.size() - 2 > kMaxControlPayload) return ControlError::kTooLarge;
    out->type = outer;
    out->payload.assign(p.begin() + 2, p.end());
    return ControlError::kOk;
  }
  if (outer != kTypeEncrypted) return ControlError::kNotEncrypted;
  if (p.size() < kEncryptedOverhead) return ControlError::kTruncated;
  const uint16_t len = LoadLe16(p.data() + 2);
  if (static_cast<size_t>(len) + 4 != p.size()) return ControlError::kBadLength;
  const size_t ct_len = p.size() - 24;
  if (ct_len - 4 > kMaxControlPayload) return ControlError::kTooLarge;
  const uint32_t seq = LoadLe32(p.data() + 4);
  uint8_t iv[16];
  size_t iv_len = 0;
  MakeIv(seq, is_host_ ? 'C' : 'H', iv, &iv_len);
  uint8_t plain[kMaxControlPayload + 4];
  if (!gcm_.Open(std::span<const uint8_t>(iv, iv_len), p.subspan(24, ct_len), p.data() + 8,
                 plain)) {
    return ControlError::kDecryptFailed;
  }
  const uint16_t inner = LoadLe16(plain);
  const uint16_t n = LoadLe16(plain + 2);
  if (static_cast<size_t>(n) + 4 != ct_len) return ControlError::kBadLength;
  if (inner == kTypeEncrypted) return ControlError::kNestedWrapper;
  out->type = inner;
  out->payload.assign(plain + 4, plain + 4 + n);
  return ControlError::kOk;
}

}  // namespace lumen::moonlight::control

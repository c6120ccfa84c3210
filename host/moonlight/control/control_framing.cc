// Per-peer control-stream codec over core/moonlight/control.h (see control_framing.h).
#include "host/moonlight/control/control_framing.h"

namespace lumen::moonlight::control {

const char* ControlErrorName(ControlError e) {
  switch (e) {
    case ControlError::kOk:
      return "ok";
    case ControlError::kTruncated:
      return "truncated";
    case ControlError::kBadLength:
      return "bad length";
    case ControlError::kNotEncrypted:
      return "not encrypted";
    case ControlError::kBadInnerType:
      return "nested wrapper";
    case ControlError::kDecryptFailed:
      return "decrypt failed";
    case ControlError::kBufferTooSmall:
      return "too large";
    case ControlError::kUnknownType:
      return "unknown type";
    case ControlError::kCount:
      break;
  }
  return "unknown";
}

ControlCodec::ControlCodec(bool encrypted, bool v2, bool is_host,
                           const std::array<uint8_t, 16>& key)
    : encrypted_(encrypted) {
  cipher_.Init(key, is_host ? Direction::kHostToClient : Direction::kClientToHost, v2);
}

std::vector<uint8_t> ControlCodec::Seal(uint16_t type, std::span<const uint8_t> payload) {
  if (payload.size() > kMaxControlPayload) return {};
  std::vector<uint8_t> out(encrypted_ ? ControlCipher::SealedSize(payload.size())
                                      : kV1HeaderSize + payload.size());
  const size_t n = encrypted_ ? cipher_.Seal(type, payload, out) : EncodeV1(type, payload, out);
  out.resize(n);
  return out;
}

ControlError ControlCodec::Open(std::span<const uint8_t> packet, ControlMessage* out) {
  ControlFrame f;
  ControlError e;
  if (encrypted_) {
    if (packet.size() > kEncHeaderSize + plain_.size()) return ControlError::kBadLength;
    e = cipher_.Open(packet, plain_, &f);
  } else {
    if (packet.size() > kV1HeaderSize + kMaxControlPayload) return ControlError::kBadLength;
    e = DecodeV1(packet, &f);
  }
  if (e != ControlError::kOk) return e;
  out->type = f.type;
  out->payload.assign(f.payload.begin(), f.payload.end());
  return ControlError::kOk;
}

}  // namespace lumen::moonlight::control

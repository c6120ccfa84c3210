// libFuzzer target for lumen::moonlight::control: encrypted-frame opening, V1 framing and every
// payload decoder. Input layout:
//   [0] flags: bit0 V2 IV, bit1 host side (else client side), bit2 seal-then-open round trip
//   rest: the packet (or, with bit2, [LE16 type][payload] to seal and reopen, which must
//   round-trip exactly).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/moonlight/control.h"

namespace {

namespace ctl = lumen::moonlight::control;

[[noreturn]] void Fail() { __builtin_trap(); }

void DecodeAll(const ctl::ControlFrame& f) {
  ctl::HostBoundMessage hm;
  ctl::ClientBoundMessage cm;
  (void)ctl::DecodeHostBound(f, &hm);
  if (ctl::DecodeClientBound(f, &cm) == ctl::ControlError::kOk) {
    uint8_t buf[64];
    (void)ctl::EncodePayload(cm, buf);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  if (size < 1 || size > 4096) return 0;
  std::array<uint8_t, 16> key{};
  for (int i = 0; i < 16; ++i) key[i] = static_cast<uint8_t>(0x30 + i);
  const bool v2 = in[0] & 1;
  const auto local =
      (in[0] & 2) ? ctl::Direction::kHostToClient : ctl::Direction::kClientToHost;
  const auto peer_dir =
      (in[0] & 2) ? ctl::Direction::kClientToHost : ctl::Direction::kHostToClient;
  ctl::ControlCipher me, peer;
  if (!me.Init(key, local, v2) || !peer.Init(key, peer_dir, v2)) Fail();
  std::span<const uint8_t> body(in + 1, size - 1);
  std::vector<uint8_t> plain(size + 64);
  ctl::ControlFrame f;
  if (in[0] & 4) {
    if (body.size() < 2) return 0;
    const uint16_t type = static_cast<uint16_t>(body[0] | (body[1] << 8));
    const auto payload = body.subspan(2);
    std::vector<uint8_t> sealed(ctl::ControlCipher::SealedSize(payload.size()));
    const size_t n = peer.Seal(type, payload, sealed);
    if (n != sealed.size()) Fail();
    const auto e = me.Open(sealed, plain, &f);
    if (type == ctl::kEncryptedWrapper) {
      if (e != ctl::ControlError::kBadInnerType) Fail();
      return 0;
    }
    if (e != ctl::ControlError::kOk || f.type != type || f.payload.size() != payload.size() ||
        !std::equal(payload.begin(), payload.end(), f.payload.begin())) {
      Fail();
    }
    DecodeAll(f);
    return 0;
  }
  if (me.Open(body, plain, &f) == ctl::ControlError::kOk) DecodeAll(f);
  if (ctl::DecodeV1(body, &f) == ctl::ControlError::kOk) DecodeAll(f);
  return 0;
}

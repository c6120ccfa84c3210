// Control-stream framing: round trips both directions, V2 and legacy IVs, and every
// malformed-packet class.
#include "host/moonlight/control/control_framing.h"

#include <doctest/doctest.h>

#include "core/moonlight/wire.h"

namespace lumen::moonlight::control {
namespace {

std::array<uint8_t, 16> Key() {
  std::array<uint8_t, 16> k{};
  for (int i = 0; i < 16; ++i) k[i] = static_cast<uint8_t>(i + 1);
  return k;
}

TEST_SUITE("ControlFraming") {
  TEST_CASE("client -> host and host -> client round trips (V2 and legacy IV)") {
    for (bool v2 : {true, false}) {
      ControlCodec client(true, v2, false, Key());
      ControlCodec host(true, v2, true, Key());
      const uint8_t payload[] = {1, 2, 3, 4, 5};
      for (int i = 0; i < 3; ++i) {
        auto wire = client.Seal(kInputData, payload);
        CHECK(wire.size() == (kEncHeaderSize + kInnerHeaderSize) + sizeof(payload));
        CHECK(LoadLe16(wire.data()) == kEncryptedWrapper);
        CHECK(LoadLe16(wire.data() + 2) + 4u == wire.size());
        CHECK(LoadLe32(wire.data() + 4) == static_cast<uint32_t>(i));
        ControlMessage m;
        REQUIRE(host.Open(wire, &m) == ControlError::kOk);
        CHECK(m.type == kInputData);
        CHECK(m.payload == std::vector<uint8_t>(payload, payload + 5));
      }
      uint8_t term[4] = {0x80, 0x03, 0x00, 0x23};
      auto back = host.Seal(kTerminationExtended, term);
      ControlMessage m;
      REQUIRE(client.Open(back, &m) == ControlError::kOk);
      CHECK(m.type == kTerminationExtended);
      CHECK(LoadBe32(m.payload.data()) == kTerminationGraceful);
      // With V2 the IV direction letter differs, so a host cannot open its own messages.
      ControlCodec host2(true, v2, true, Key());
      if (v2) CHECK(host2.Open(back, &m) == ControlError::kDecryptFailed);
    }
  }

  TEST_CASE("malformed packets") {
    ControlCodec client(true, true, false, Key());
    ControlCodec host(true, true, true, Key());
    ControlMessage m;
    const uint8_t p[] = {9};
    auto wire = client.Seal(kRequestIdr, p);
    CHECK(host.Open(std::span<const uint8_t>(wire.data(), 1), &m) == ControlError::kTruncated);
    CHECK(host.Open(std::span<const uint8_t>(wire.data(), 20), &m) == ControlError::kTruncated);
    auto shorter = wire;
    shorter.pop_back();
    CHECK(host.Open(shorter, &m) == ControlError::kBadLength);
    auto tampered = wire;
    tampered.back() ^= 0x40;
    CHECK(host.Open(tampered, &m) == ControlError::kDecryptFailed);
    ControlCodec plain_client(false, false, false, Key());
    const uint8_t two[2] = {0, 0};
    auto plain = plain_client.Seal(kRequestIdr, two);
    CHECK(host.Open(plain, &m) == ControlError::kNotEncrypted);
    auto nested = client.Seal(kEncryptedWrapper, p);
    CHECK(host.Open(nested, &m) == ControlError::kBadInnerType);
  }

  TEST_CASE("unencrypted framing for old clients") {
    ControlCodec c(false, false, false, Key());
    ControlCodec h(false, false, true, Key());
    const uint8_t p[] = {0, 0};
    auto wire = c.Seal(kStartALegacy, p);
    CHECK(wire.size() == 4);
    ControlMessage m;
    REQUIRE(h.Open(wire, &m) == ControlError::kOk);
    CHECK(m.type == kStartALegacy);
  }
}

}  // namespace
}  // namespace lumen::moonlight::control

// Moonlight UDP ping recognition.
#include "host/moonlight/stream/ping.h"

#include <doctest/doctest.h>

namespace lumen::moonlight::stream {
namespace {

TEST_SUITE("MoonlightPing") {
  TEST_CASE("SS_PING with the session payload, legacy PING only without one") {
    uint8_t ping[kSsPingSize];
    MakeSsPing("0123456789ABCDEF", 7, ping);
    CHECK(ping[19] == 7);
    CHECK(IsSessionPing(ping, "0123456789ABCDEF"));
    CHECK(!IsSessionPing(ping, "0123456789ABCDEE"));
    CHECK(!IsSessionPing(std::span<const uint8_t>(ping, 19), "0123456789ABCDEF"));
    CHECK(!IsSessionPing(ping, "short"));
    const uint8_t legacy[4] = {'P', 'I', 'N', 'G'};
    CHECK(IsSessionPing(legacy, ""));
    CHECK(!IsSessionPing(legacy, "0123456789ABCDEF"));
    CHECK(!IsSessionPing(std::span<const uint8_t>(), ""));
  }
}

}  // namespace
}  // namespace lumen::moonlight::stream

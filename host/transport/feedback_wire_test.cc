// Feedback datagram round trip and rejection of everything else.
#include <doctest/doctest.h>

#include "host/transport/feedback_wire.h"

namespace lumen::transport {

TEST_SUITE("FeedbackWire") {
  TEST_CASE("round trip and hostile input") {
    uint8_t buf[kFeedbackSize];
    WriteFeedback({FeedbackType::kFecStatus, 0x01020304, 7}, buf);
    auto f = ParseFeedback(buf);
    REQUIRE(f);
    CHECK(f->type == FeedbackType::kFecStatus);
    CHECK(f->frame == 0x01020304);
    CHECK(f->count == 7);
    CHECK_FALSE(ParseFeedback(std::span<const uint8_t>(buf, 15)));
    buf[5] = 9;
    CHECK_FALSE(ParseFeedback(buf));
    buf[5] = 1;
    buf[4] = 2;
    CHECK_FALSE(ParseFeedback(buf));
    buf[0] = 'X';
    buf[4] = 1;
    CHECK_FALSE(ParseFeedback(buf));
  }
  TEST_CASE("pings") {
    const uint8_t ping[4] = {'P', 'I', 'N', 'G'};
    CHECK(IsPing(ping, {}));
    uint8_t ss[20] = "ABCDEFGHIJKLMNOP";
    const uint8_t want[16] = {'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H',
                              'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P'};
    CHECK(IsPing(ss, want));
    ss[0] = 'Z';
    CHECK_FALSE(IsPing(ss, want));
    CHECK_FALSE(IsPing(ping, want));
  }
}

}  // namespace lumen::transport

// Tests for the UDP helpers (real loopback sockets, GSO and sendmmsg paths) and the flag
// parser.
#include <cstring>
#include <vector>

#include <doctest/doctest.h>

#include "host/common/process.h"
#include "host/common/udp.h"

namespace lumen::host {
namespace {

TEST_SUITE("Udp") {
  TEST_CASE("address parsing") {
    auto a = SocketAddress::Parse("127.0.0.1:47998");
    REQUIRE(a.ok());
    CHECK(a->port() == 47998);
    CHECK(a->ToString() == "127.0.0.1:47998");
    auto b = SocketAddress::Parse("[::1]:9");
    REQUIRE(b.ok());
    CHECK(b->ToString() == "[::1]:9");
    CHECK(!SocketAddress::Parse("127.0.0.1").ok());
    CHECK(!SocketAddress::Parse("127.0.0.1:70000").ok());
    CHECK(!SocketAddress::Parse("example.com:80").ok());
  }

  TEST_CASE("strided batches arrive intact over loopback, with and without GSO") {
    for (bool gso : {true, false}) {
      auto rx = UdpSocket::Bind("127.0.0.1:0");
      auto tx = UdpSocket::Bind("127.0.0.1:0", 0, 0, gso);
      REQUIRE(rx.ok());
      REQUIRE(tx.ok());
      auto to = SocketAddress::Parse("127.0.0.1:" + std::to_string(rx->local_port()));
      REQUIRE(to.ok());
      constexpr size_t kSeg = 1408, kCount = 100;
      std::vector<uint8_t> buf(kSeg * kCount);
      for (size_t i = 0; i < kCount; ++i) std::memset(buf.data() + i * kSeg, int(i), kSeg);
      CHECK(tx->SendStrided(*to, buf.data(), kSeg, kSeg, kCount) == kCount);
      if (gso && tx->gso()) CHECK(tx->stats().gso_sends >= 2);
      std::vector<Datagram> got;
      size_t total = 0;
      while (total < kCount) {
        size_t n = rx->RecvBatch(&got, 32, 2048, 1000);
        REQUIRE(n > 0);
        for (const Datagram& d : got) {
          REQUIRE(d.data.size() == kSeg);
          CHECK(d.data[0] == uint8_t(total));
          CHECK(d.data[kSeg - 1] == uint8_t(total));
          CHECK(d.from.port() == tx->local_port());
          ++total;
        }
      }
      CHECK(total == kCount);
    }
  }
}

TEST_SUITE("Args") {
  TEST_CASE("forms, defaults and unknown flags") {
    Args a(std::vector<std::string>{"demo", "--seconds=3", "--loss", "5%", "--verbose",
                                    "--no-window", "extra"});
    CHECK(a.positional() == std::vector<std::string>{"demo", "extra"});
    CHECK(a.Int("seconds", 5) == 3);
    CHECK(a.Double("loss", 0) == doctest::Approx(5.0));
    CHECK(a.Bool("verbose"));
    CHECK_FALSE(a.Bool("window", true));
    CHECK(a.Str("missing", "x") == "x");
    CHECK(a.Check().ok());
    Args b(std::vector<std::string>{"--tpyo=1"});
    CHECK(b.Check().code() == absl::StatusCode::kInvalidArgument);
    Args c(std::vector<std::string>{"--seconds=abc"});
    c.Int("seconds", 1);
    CHECK(!c.Check().ok());
  }
}

}  // namespace
}  // namespace lumen::host

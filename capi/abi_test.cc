// The C ABI's compatibility rules: the header compiles as C++ with -Wall -Werror, structs have
// the published layout, older (smaller) structs get defaults, newer (larger) ones are accepted,
// and truncated ones are rejected.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "capi/lumen_core.h"

// Layout of ABI 1.0: changing any of these breaks every compiled client.
static_assert(offsetof(lumen_fec_config, struct_size) == 0);
static_assert(offsetof(lumen_fec_config, max_shard_bytes) == 16);
static_assert(sizeof(lumen_fec_config) == 24);
static_assert(offsetof(lumen_ml_video_packetizer_config, key) == 24);
static_assert(offsetof(lumen_ml_video_packetizer_config, max_frame_bytes) == 40);
static_assert(sizeof(lumen_ml_video_packetizer_config) == 48);
static_assert(offsetof(lumen_lt_config, key) == 12);
static_assert(sizeof(lumen_lt_config) == 56);
static_assert(sizeof(lumen_frame_info) == 40);

namespace {

struct Collected {
  std::vector<std::vector<uint8_t>> datagrams;
};
void Collect(void* user, const uint8_t* d, size_t n) {
  static_cast<Collected*>(user)->datagrams.emplace_back(d, d + n);
}

TEST_SUITE("CApi") {
  TEST_CASE("VersionIsThisHeaders") { CHECK(lumen_abi_version() == LUMEN_ABI_VERSION); }

  TEST_CASE("OlderSmallerStructGetsDefaults") {
    // A 1.0 caller that predates max_frame_bytes: struct_size stops before it.
    lumen_ml_video_packetizer_config c;
    LUMEN_INIT(&c);
    c.packet_size = 1392;
    c.fec_percent = 20;
    c.min_fec_packets = 2;
    c.max_frame_bytes = 1;  // garbage beyond struct_size must be ignored
    c.struct_size = offsetof(lumen_ml_video_packetizer_config, max_frame_bytes);
    lumen_ml_video_packetizer* p = nullptr;
    REQUIRE(lumen_ml_video_packetizer_create(&c, &p) == LUMEN_OK);
    std::vector<uint8_t> au(100000, 7);
    Collected out;
    CHECK(lumen_ml_video_packetize(p, au.data(), au.size(), 1, 2, 0, Collect, &out) == LUMEN_OK);
    CHECK(out.datagrams.size() > 70);
    lumen_ml_video_packetizer_destroy(p);
  }

  TEST_CASE("NewerLargerStructIsAccepted") {
    struct Future {
      lumen_fec_config v1;
      uint64_t field_from_the_future;
    } f;
    std::memset(&f, 0, sizeof f);
    f.v1.struct_size = sizeof f;
    f.v1.kind = LUMEN_FEC_GF256_CAUCHY;
    f.v1.data_shards = 4;
    f.v1.parity_shards = 2;
    f.field_from_the_future = 123;
    lumen_fec* fec = nullptr;
    CHECK(lumen_fec_create(&f.v1, &fec) == LUMEN_OK);
    lumen_fec_destroy(fec);
  }

  TEST_CASE("TruncatedStructIsRejected") {
    lumen_lt_config c;
    LUMEN_INIT(&c);
    c.struct_size = offsetof(lumen_lt_config, key) + 8;  // cuts the key
    lumen_lt_sender* s = nullptr;
    CHECK(lumen_lt_sender_create(&c, &s) == LUMEN_ERR_INVALID_ARGUMENT);
    CHECK(s == nullptr);
  }

  TEST_CASE("EveryStatusHasAName") {
    for (int s = 0; s >= LUMEN_ERR_INTERNAL; --s) {
      CAPTURE(s);
      CHECK(std::strcmp(lumen_status_string(s), "unknown status") != 0);
    }
    CHECK(std::strcmp(lumen_status_string(42), "unknown status") == 0);
  }

  TEST_CASE("SessionRejectsSmallActionBufferWithoutChangingState") {
    lumen_host_session_config c;
    LUMEN_INIT(&c);
    lumen_host_session* s = nullptr;
    REQUIRE(lumen_host_session_create(&c, &s) == LUMEN_OK);
    const std::string before = lumen_host_session_state(s);
    uint32_t a[2];
    size_t n = 2;
    CHECK(lumen_host_session_event(s, LUMEN_HOST_EV_LAUNCH, 0, 10, a, &n) ==
          LUMEN_ERR_BUFFER_TOO_SMALL);
    CHECK(before == lumen_host_session_state(s));
    lumen_host_session_destroy(s);
  }
}

}  // namespace

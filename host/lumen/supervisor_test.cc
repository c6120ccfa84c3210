// Pipeline library: real child processes, a fixed destination (no ping), IDR and bitrate
// requests travel supervisor -> transport -> control ring -> encoder, and a missing binary
// is reported clearly.
#include <unistd.h>

#include <doctest/doctest.h>

#include "clients/reference/client.h"
#include "host/common/clock.h"
#include "host/lumen/supervisor.h"

namespace lumen::supervisor {
namespace {

TEST_SUITE("Supervisor") {
  TEST_CASE("missing binaries are NotFound with the places searched") {
    auto r = FindBinary("lumen-nonexistent", "/nonexistent");
    CHECK(r.status().code() == absl::StatusCode::kNotFound);
    CHECK(std::string(r.status().message()).find("/nonexistent/lumen-nonexistent") !=
          std::string::npos);
  }

  TEST_CASE("fixed destination, IDR on request, bitrate change, clean stop") {
    client::ClientConfig cc;
    cc.bind = "127.0.0.1:0";
    auto cl = client::ReferenceClient::Create(cc);  // no server: no pings, no feedback
    REQUIRE(cl.ok());
    (*cl)->Start();
    PipelineConfig pc;
    pc.width = 320;
    pc.height = 192;
    pc.fps = 30;
    pc.bitrate_kbps = 1000;
    pc.bind = "127.0.0.1:0";
    pc.dest = "127.0.0.1:" + std::to_string((*cl)->local_port());
    pc.child_log_level = "warn";
    auto p = Pipeline::Start(pc);
    REQUIRE(p.ok());
    CHECK((*p)->transport_port() != 0);
    usleep(1500000);
    const uint64_t before = (*p)->Stats().control_sent;
    const uint64_t asked_ns = host::MonotonicNs();
    REQUIRE((*p)->RequestIdr().ok());
    REQUIRE((*p)->SetBitrate(800).ok());
    CHECK((*p)->SetBitrate(0).code() == absl::StatusCode::kInvalidArgument);
    usleep(1000000);
    const PipelineStats s = (*p)->Stats();
    CHECK(s.control_sent >= before + 2);
    CHECK_FALSE(s.failed);
    CHECK((*p)->StatusLine().find("fps") != std::string::npos);
    (*p)->Stop();
    (*p)->Stop();  // idempotent
    usleep(200000);
    (*cl)->Stop();
    bool idr_after_request = false;
    size_t sent = 0;
    for (const host::FrameTiming& t : (*p)->Timings()) {
      if (t.frame_index == 0) continue;
      ++sent;
      if (t.is_idr && t.capture_ts_ns > asked_ns) idr_after_request = true;
    }
    CHECK(sent > 20);
    CHECK(idr_after_request);
    const client::ClientStats cs = (*cl)->stats();
    CHECK(cs.frames_decoded > 20);
    CHECK(cs.stamp_errors == 0);
    CHECK(cs.frames_lost == 0);
  }
}

}  // namespace
}  // namespace lumen::supervisor

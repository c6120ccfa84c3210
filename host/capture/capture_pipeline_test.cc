// Capture -> raw ring -> EncodeService -> AU ring -> FFmpeg decode, in one process with
// real shared-memory rings: the synthetic pattern (stamp check, IDR request, resize) and
// a real PipeWire node (tools/ci/start-services.sh's GStreamer source).
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/pattern/test_pattern.h"
#include "host/capture/frame_sink.h"
#include "host/capture/pattern_source.h"
#include "host/capture/pipewire_source.h"
#include "host/capture/pw_test_services.h"
#include "host/common/clock.h"
#include "host/common/frame_desc.h"
#include "host/common/shm_ring.h"
#include "host/encode/encode_service.h"
#include "host/encode/test_decoder.h"

namespace lumen::capture {
namespace {

struct Rings {
  host::ShmRing raw, au, control;
  Rings(int max_w, int max_h) {
    host::RingConfig rc;
    rc.kind = host::RingKind::kRawVideo;
    rc.policy = host::OverflowPolicy::kDropOldest;
    rc.slot_count = 4;
    rc.desc_bytes = sizeof(host::RawFrameDesc);
    rc.slot_payload_bytes = uint64_t(max_w) * max_h * 4;
    auto r = host::ShmRing::Create(rc, "test-raw");
    REQUIRE(r.ok());
    raw = std::move(*r);
    rc.kind = host::RingKind::kEncodedVideo;
    rc.policy = host::OverflowPolicy::kReject;
    rc.slot_count = 8;
    rc.desc_bytes = sizeof(host::AccessUnitDesc);
    rc.slot_payload_bytes = 2 << 20;
    r = host::ShmRing::Create(rc, "test-au");
    REQUIRE(r.ok());
    au = std::move(*r);
    rc.kind = host::RingKind::kControl;
    rc.slot_count = 8;
    rc.desc_bytes = sizeof(host::ControlMessage);
    rc.slot_payload_bytes = 0;
    r = host::ShmRing::Create(rc, "test-control");
    REQUIRE(r.ok());
    control = std::move(*r);
  }
};

struct Received {
  host::AccessUnitDesc desc;
  int width = 0, height = 0;
  pattern::ReadStatus status = pattern::ReadStatus::kBadArgs;
  pattern::Stamp stamp;
};

// Runs an EncodeService on its own thread for the test's duration.
class EncoderThread {
 public:
  EncoderThread(Rings& rings, int w, int h) : service_(&rings.raw, &rings.au, &rings.control, Config(w, h)) {
    REQUIRE(service_.Init().ok());
    thread_ = std::thread([this] { status_ = service_.Run([this] { return stop_.load(); }); });
  }
  ~EncoderThread() {
    stop_ = true;
    thread_.join();
  }
  static encode::EncodeServiceConfig Config(int w, int h) {
    encode::EncodeServiceConfig c;
    c.encoder.width = w;
    c.encoder.height = h;
    c.encoder.fps = 30;
    c.encoder.bitrate_kbps = 4000;
    c.encoder.threads = 2;
    c.poll_ns = 20'000'000;
    return c;
  }

 private:
  encode::EncodeService service_;
  std::atomic<bool> stop_{false};
  absl::Status status_;
  std::thread thread_;
};

// Reads AUs from the ring, decodes them, reads the stamp; `on_each` may act mid-stream.
std::vector<Received> Collect(host::ShmRing& au_ring, size_t want, int64_t give_up_after_ms,
                              const std::function<void(size_t)>& on_each = nullptr) {
  auto dec = encode::TestDecoder::Create(host::Codec::kH264);
  REQUIRE(dec.ok());
  host::RingConsumer consumer(&au_ring);
  std::vector<Received> out;
  const uint64_t end = host::MonotonicNs() + uint64_t(give_up_after_ms) * 1'000'000;
  while (out.size() < want && host::MonotonicNs() < end) {
    auto slot = consumer.Acquire(100'000'000);
    if (!slot) continue;
    Received r;
    r.desc = slot->As<host::AccessUnitDesc>();
    REQUIRE(slot->payload.size() == r.desc.len);
    bool got = false;
    REQUIRE((*dec)->Decode(slot->payload, int64_t(r.desc.frame_id), [&](const encode::DecodedPicture& p) {
      r.width = p.width;
      r.height = p.height;
      r.status = pattern::ReadLuma(p.luma, p.width, p.height, p.stride, &r.stamp);
      got = true;
    }).ok());
    consumer.Release(*slot);
    CHECK(got);
    out.push_back(r);
    if (on_each) on_each(out.size());
  }
  return out;
}

TEST_SUITE("CapturePipeline") {
  TEST_CASE("SyntheticPatternThroughRingsAndEncoder") {
    // BGRx in the ring (lumen-encode converts) and I420 (lumen-capture converts, the
    // encoder takes the slot's planes without a copy).
    PixelFormat ring_format = PixelFormat::kUnknown;
    SUBCASE("bgrx ring") { ring_format = PixelFormat::kUnknown; }
    SUBCASE("i420 ring") { ring_format = PixelFormat::kI420; }
    CAPTURE(int(ring_format));
    Rings rings(640, 360);
    PatternSource pattern({640, 360, 30, 0});
    RingFrameSink sink(&rings.raw, ring_format);
    std::atomic<bool> stop{false};
    EncoderThread enc(rings, 640, 360);
    std::thread cap([&] { pattern.Run(sink, stop); });
    host::RingProducer control(&rings.control);
    const auto got = Collect(rings.au, 16, 20000, [&](size_t n) {
      if (n == 8) {
        host::ControlMessage m{};
        m.type = host::ControlType::kRequestIdr;
        CHECK(control.TryPush(m));
      }
    });
    stop = true;
    cap.join();
    REQUIRE(got.size() == 16);
    CHECK(got[0].desc.is_idr == 1);
    int answered = 0;
    for (const Received& r : got) {
      CAPTURE(r.desc.frame_id);
      CHECK(r.width == 640);
      CHECK(r.height == 360);
      REQUIRE(r.status == pattern::ReadStatus::kOk);
      // The pixels carry the frame id and capture time the descriptor says.
      CHECK(r.stamp.frame == uint32_t(r.desc.frame_id));
      CHECK(r.stamp.timestamp_us == r.desc.capture_ts_ns / 1000);
      CHECK(r.desc.encode_done_ts_ns >= r.desc.encode_start_ts_ns);
      CHECK(r.desc.encode_start_ts_ns >= r.desc.capture_ts_ns);
      CHECK(r.desc.codec == host::Codec::kH264);
      if (r.desc.flags & host::kAuAnswersIdrRequest) {
        ++answered;
        CHECK(r.desc.is_idr == 1);
      }
    }
    CHECK(answered == 1);
    for (size_t i = 1; i < got.size(); ++i) CHECK(got[i].desc.frame_id > got[i - 1].desc.frame_id);
  }

  TEST_CASE("ResizeIsRenegotiatedWithoutRestart") {
    PixelFormat ring_format = PixelFormat::kUnknown;
    SUBCASE("bgrx ring") { ring_format = PixelFormat::kUnknown; }
    SUBCASE("i420 ring") { ring_format = PixelFormat::kI420; }
    CAPTURE(int(ring_format));
    Rings rings(640, 360);
    PatternSource pattern({640, 360, 30, 0});
    RingFrameSink sink(&rings.raw, ring_format);
    std::atomic<bool> stop{false};
    EncoderThread enc(rings, 640, 360);
    std::thread cap([&] { pattern.Run(sink, stop); });
    const auto got = Collect(rings.au, 14, 20000, [&](size_t n) {
      if (n == 5) pattern.SetSize(320, 240);
    });
    stop = true;
    cap.join();
    REQUIRE(got.size() == 14);
    CHECK(got.front().width == 640);
    CHECK(got.back().width == 320);
    CHECK(got.back().height == 240);
    bool saw_switch = false;
    for (size_t i = 1; i < got.size(); ++i) {
      CAPTURE(i);
      REQUIRE(got[i].status == pattern::ReadStatus::kOk);
      CHECK(got[i].stamp.frame == uint32_t(got[i].desc.frame_id));
      CHECK(got[i].width == int(got[i].desc.width));
      if (got[i].width != got[i - 1].width) {
        saw_switch = true;
        CHECK(got[i].desc.is_idr == 1);  // a new size starts with an IDR
      }
    }
    CHECK(saw_switch);
  }

  TEST_CASE("PipeWireNodeThroughEncoderToDecoder") {
    auto env = EnsurePipeWireTestServices();
    if (!env.ok()) {
      MESSAGE("SKIPPED: PipeWire cannot start here: " << env.status().ToString());
      return;
    }
    const int w = 640, h = 360;  // start-services.sh's default source size
    Rings rings(1920, 1080);
    RingFrameSink sink(&rings.raw);
    EncoderThread enc(rings, w, h);
    PipeWireSourceConfig pc;
    pc.target = env->video_node;
    pc.width = w;
    pc.height = h;
    pc.fps = 30;
    auto src = PipeWireSource::Start(pc, &sink);
    REQUIRE_MESSAGE(src.ok(), src.status().ToString());
    const auto got = Collect(rings.au, 10, 20000);
    const PipeWireSourceStats st = (*src)->stats();
    MESSAGE("PipeWire frames " << st.frames << ", refused " << st.sink_refused << ", format "
                               << int(st.format) << " " << st.width << "x" << st.height
                               << ", error '" << (*src)->error() << "'");
    REQUIRE(got.size() == 10);
    CHECK(st.format == PixelFormat::kBgrx);
    CHECK(st.width == w);
    CHECK(st.height == h);
    CHECK(got[0].desc.is_idr == 1);
    for (const Received& r : got) {
      CHECK(r.width == w);
      CHECK(r.height == h);
      CHECK(r.desc.width == uint32_t(w));
      CHECK(r.desc.capture_ts_ns > 0);
    }
  }

  TEST_CASE("PipeWireNv12NodeIsCapturedToo") {
    auto env = EnsurePipeWireTestServices();
    if (!env.ok()) {
      MESSAGE("SKIPPED: PipeWire cannot start here: " << env.status().ToString());
      return;
    }
    // A second, NV12 source with an odd-ish size, started by the test itself.
    const std::string node = "lumen-test-nv12-" + std::to_string(::getpid());
    const std::string cmd =
        "setsid gst-launch-1.0 -q videotestsrc is-live=true pattern=smpte ! "
        "video/x-raw,format=NV12,width=352,height=288,framerate=30/1 ! pipewiresink mode=provide "
        "stream-properties=props,media.class=Video/Source,node.name=" + node +
        " >/dev/null 2>&1 & echo $! > " + (std::getenv("TEST_TMPDIR") ? std::string(std::getenv("TEST_TMPDIR")) : std::string("/tmp")) + "/nv12.pid";
    REQUIRE(std::system(cmd.c_str()) == 0);
    Rings rings(1920, 1080);
    RingFrameSink sink(&rings.raw);
    EncoderThread enc(rings, 352, 288);
    PipeWireSourceConfig pc;
    pc.target = node;
    pc.width = 352;
    pc.height = 288;
    // The node appears a moment after gst starts: retry the connection until it links.
    std::unique_ptr<PipeWireSource> src;
    std::vector<Received> got;
    for (int attempt = 0; attempt < 5 && got.size() < 5; ++attempt) {
      auto s = PipeWireSource::Start(pc, &sink);
      REQUIRE(s.ok());
      src = std::move(*s);
      got = Collect(rings.au, 5, 4000);
    }
    const std::string pidfile = (std::getenv("TEST_TMPDIR") ? std::string(std::getenv("TEST_TMPDIR")) : std::string("/tmp")) + "/nv12.pid";
    REQUIRE(std::system(("kill $(cat " + pidfile + ") 2>/dev/null; rm -f " + pidfile).c_str()) == 0);
    REQUIRE(src != nullptr);
    const PipeWireSourceStats st = src->stats();
    MESSAGE("NV12: frames " << st.frames << " format " << int(st.format) << " " << st.width << "x"
                            << st.height << " empty " << st.empty_buffers);
    REQUIRE(got.size() == 5);
    CHECK(st.format == PixelFormat::kNv12);
    for (const Received& r : got) {
      CHECK(r.width == 352);
      CHECK(r.height == 288);
    }
  }

  TEST_CASE("RingSinkRejectsFramesLargerThanASlot") {
    Rings rings(320, 240);
    RingFrameSink sink(&rings.raw);
    std::vector<uint8_t> px(640 * 480 * 4);
    CapturedFrame f{px.data(), px.size(), 640, 480, 640 * 4, PixelFormat::kBgrx, 1, 0};
    CHECK_FALSE(sink.Deliver(f));
    CHECK(sink.frames_too_big() == 1);
    f.width = 320;
    f.height = 240;
    f.stride = 320 * 4;
    CHECK(sink.Deliver(f));
    CHECK(sink.frames_written() == 1);
    f.len = 10;  // shorter than it claims
    CHECK_FALSE(sink.Deliver(f));
  }

  TEST_CASE("I420RingSinkConvertsPackedFramesAndTheEncoderReadsThem") {
    // An odd size: chroma rows/columns round up, the encoder crops to even.
    const int w = 321, h = 241;
    Rings rings(640, 480);
    RingFrameSink sink(&rings.raw, PixelFormat::kI420);
    std::vector<uint8_t> px(size_t(w) * h * 4);
    REQUIRE(pattern::PaintBgrx(px, w, h, w * 4, pattern::Stamp{7, 123456}));
    CapturedFrame f{px.data(), px.size(), w, h, w * 4, PixelFormat::kBgrx, 42, 0};
    REQUIRE(sink.Deliver(f));
    host::RingConsumer raw(&rings.raw);
    auto slot = raw.Acquire(100'000'000);
    REQUIRE(slot);
    const host::RawFrameDesc d = slot->As<host::RawFrameDesc>();
    CHECK(d.format == PixelFormat::kI420);
    CHECK(d.width == uint32_t(w));
    CHECK(d.height == uint32_t(h));
    CHECK(d.stride == 384u);  // width rounded up to 64
    CHECK(d.payload_len == size_t(384) * h + size_t(192) * 121 * 2);
    CHECK(d.capture_ts_ns == 42);
    const auto payload = slot->payload.subspan(d.payload_offset, d.payload_len);
    pattern::Stamp stamp;
    REQUIRE(pattern::ReadLuma(payload, w, h, int(d.stride), &stamp) == pattern::ReadStatus::kOk);
    CHECK(stamp == pattern::Stamp{7, 123456});
    // White bar (top-right of the first row is the 75% bars; the stamp's white cells are
    // at limited-range 235) and neutral chroma under the stamp's black quiet zone.
    const uint8_t* u = payload.data() + size_t(d.stride) * h;
    const uint8_t* v = u + size_t(d.stride / 2) * ((h + 1) / 2);
    CHECK(payload[0] == 16);  // quiet zone: black
    CHECK(u[0] == 128);
    CHECK(v[0] == 128);

    // The slot straight into the encoder (no copy) and back out of a decoder.
    auto enc = encode::VideoEncoder::Create(EncoderThread::Config(w, h).encoder);
    REQUIRE(enc.ok());
    encode::RawFrame rf{payload.data(), payload.size(), w, h, int(d.stride), d.format, 1};
    encode::AccessUnit au;
    REQUIRE((*enc)->Encode(rf, &au).ok());
    CHECK((*enc)->last_convert_ns() == 0);
    raw.Release(*slot);
    auto dec = encode::TestDecoder::Create(host::Codec::kH264);
    REQUIRE(dec.ok());
    bool got = false;
    auto on_pic = [&](const encode::DecodedPicture& p) {
      CHECK(p.width == w - 1);
      CHECK(p.height == h - 1);
      pattern::Stamp back;
      CHECK(pattern::ReadLuma(p.luma, p.width, p.height, p.stride, &back) ==
            pattern::ReadStatus::kOk);
      CHECK(back == pattern::Stamp{7, 123456});
      got = true;
    };
    REQUIRE((*dec)->Decode(au.data, au.pts, on_pic).ok());
    REQUIRE((*dec)->Flush(on_pic).ok());
    CHECK(got);
  }
}

}  // namespace
}  // namespace lumen::capture

// In-process Moonlight video stream (see video_stream.h).
#include "host/moonlight/stream/video_stream.h"

#include <chrono>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/pattern/test_pattern.h"
#include "host/common/clock.h"
#include "host/encode/convert.h"
#include "host/encode/video_encoder.h"
#include "host/transport/video_transport.h"

namespace lumen::moonlight::stream {
namespace {

host::Codec ToHostCodec(VideoCodec c) {
  switch (c) {
    case VideoCodec::kHevc:
      return host::Codec::kHevc;
    case VideoCodec::kAv1:
      return host::Codec::kAv1;
    case VideoCodec::kH264:
      break;
  }
  return host::Codec::kH264;
}

// Removes SEI NAL units (H.264 type 6, HEVC prefix/suffix 39/40) from an Annex-B access
// unit, in place. moonlight-common-c recognises an IDR only if its slice NAL starts in the
// first datagram after VPS/SPS/PPS; x265's ~2 KB "info" SEI pushes it out. Decoders do not
// need these SEIs. Returns the new size.
size_t StripSei(uint8_t* au, size_t n, VideoCodec codec) {
  if (codec == VideoCodec::kAv1) return n;
  auto start_code = [&](size_t i) -> size_t {  // length of a start code at i, 0 if none
    if (i + 3 <= n && au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1) return 3;
    if (i + 4 <= n && au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 0 && au[i + 3] == 1) return 4;
    return 0;
  };
  size_t out = 0, i = 0;
  while (i < n) {
    const size_t sc = start_code(i);
    if (sc == 0) return n;  // not Annex-B as expected: leave the AU untouched
    size_t j = i + sc;
    while (j < n && start_code(j) == 0) ++j;
    bool sei = false;
    if (i + sc < n) {
      const uint8_t h = au[i + sc];
      sei = codec == VideoCodec::kH264 ? (h & 0x1F) == 6
                                       : (((h >> 1) & 0x3F) == 39 || ((h >> 1) & 0x3F) == 40);
    }
    if (!sei) {
      if (out != i) std::memmove(au + out, au + i, j - i);
      out += j - i;
    }
    i = j;
  }
  return out;
}

}  // namespace

std::string FormatVideoStreamStats(const VideoStreamStats& v) {
  return absl::StrCat("video[", v.encoder, " ", v.framing, "] encoded ", v.frames_encoded, " sent ",
                      v.frames_sent, " idr ", v.idr_frames, " datagrams ", v.datagrams, " pings ",
                      v.pings, " encode errors ", v.encode_errors);
}

struct VideoStream::Impl {
  VideoStreamOptions options;
  LaunchSession launch;
  StreamConfig config;
  std::unique_ptr<encode::VideoEncoder> encoder;
  std::unique_ptr<transport::VideoTransport> transport;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::atomic<bool> idr_requested{false};
  mutable std::mutex mu;
  VideoStreamStats stats;  // guarded by mu

  void Loop() {
    const int w = config.width, h = config.height;
    const int stride = w * 4;
    std::vector<uint8_t> pixels;
    if (!options.frames) pixels.resize(static_cast<size_t>(stride) * static_cast<size_t>(h));
    encode::RawFrame captured;
    uint64_t generation = 0;
    encode::AccessUnit au;
    uint32_t counter = 0;
    bool had_client = false;
    const auto period = std::chrono::nanoseconds(1'000'000'000LL / std::max(1, config.fps));
    auto next = std::chrono::steady_clock::now();
    while (!stop.load()) {
      next += period;
      std::this_thread::sleep_until(next);
      const auto now = std::chrono::steady_clock::now();
      if (now - next > 4 * period) next = now;  // fell behind: don't burst
      if (!transport->has_destination()) continue;
      if (!had_client) {
        had_client = true;
        encoder->RequestIdr();  // first frame to a new client is an IDR
      }
      if (idr_requested.exchange(false)) encoder->RequestIdr();
      const uint64_t capture_ns = host::MonotonicNs();
      // The encoder converts packed frames (the pattern; a BGRx/RGBx desktop, judged by the
      // last one) to YUV: wake the converter's helper now, while the frame is painted or
      // copied, so that it takes its share of the stripes (encode::PrepareConversion).
      if (!options.frames || captured.format == host::PixelFormat::kBgrx ||
          captured.format == host::PixelFormat::kRgbx) {
        encode::PrepareConversion(options.frames ? captured.width : w,
                                  options.frames ? captured.height : h);
      }
      encode::RawFrame f;
      if (options.frames) {
        // The desktop's newest picture, repeated while nothing new arrives.
        generation = options.frames->Latest(generation, &pixels, &captured);
        if (generation == 0) continue;  // nothing captured yet
        f = captured;
        f.data = pixels.data();
        ++counter;
      } else {
        pattern::Stamp stamp{++counter, capture_ns / 1000};
        pattern::PaintBgrx(pixels, w, h, stride, stamp);
        f.data = pixels.data();
        f.len = pixels.size();
        f.width = w;
        f.height = h;
        f.stride = stride;
        f.format = host::PixelFormat::kBgrx;
      }
      f.pts = counter;
      const uint64_t enc_start = host::MonotonicNs();
      if (!encoder->Encode(f, &au).ok()) {
        std::lock_guard l(mu);
        ++stats.encode_errors;
        continue;
      }
      if (au.data.empty()) continue;
      au.data.resize(StripSei(au.data.data(), au.data.size(), config.codec));
      host::AccessUnitDesc d{};
      d.frame_id = counter;
      d.capture_ts_ns = capture_ns;
      d.encode_start_ts_ns = enc_start;
      d.encode_done_ts_ns = host::MonotonicNs();
      d.is_idr = au.keyframe ? 1 : 0;
      d.codec = ToHostCodec(config.codec);
      d.len = static_cast<uint32_t>(au.data.size());
      d.width = static_cast<uint32_t>(au.width);
      d.height = static_cast<uint32_t>(au.height);
      d.encoder_seq = counter;
      host::FrameTiming timing{};
      transport->SendAccessUnit(d, au.data, &timing);
      std::lock_guard l(mu);
      ++stats.frames_encoded;
      if (!(timing.flags & host::kTimingNoClient)) {
        ++stats.frames_sent;
        stats.datagrams += timing.datagrams;
        if (au.keyframe) ++stats.idr_frames;
      }
    }
  }
};

absl::StatusOr<std::unique_ptr<VideoStream>> VideoStream::Start(const VideoStreamOptions& options,
                                                                const LaunchSession& launch,
                                                                const StreamConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->launch = launch;
  impl->config = config;
  encode::EncoderConfig ec;
  ec.codec = ToHostCodec(config.codec);
  ec.nvenc = options.nvenc;
  ec.width = config.width;
  ec.height = config.height;
  ec.fps = config.fps;
  ec.bitrate_kbps =
      config.encoder_bitrate_kbps > 0 ? config.encoder_bitrate_kbps : config.max_bitrate_kbps;
  auto enc = encode::VideoEncoder::Create(ec);
  if (!enc.ok()) return enc.status();
  impl->encoder = std::move(*enc);
  transport::TransportConfig tc;
  tc.bind = options.bind;
  tc.ping_payload =
      (config.ml_feature_flags & kMlFeatureSessionIdV1) ? launch.ping_payload : std::string();
  tc.packet_size = config.packet_size;
  tc.fec_percent = config.fec_percentage;
  tc.min_fec_packets = config.min_fec_packets;
  tc.encrypt = config.video_encrypted();
  tc.key = launch.key;
  if (config.lumen) {
    // lumen transport (docs/lumen-transport.md): one GF(2^16) block per frame, every
    // datagram sealed with keys derived from the rikey and both negotiation nonces, the
    // client's datagram budget, adaptive FEC starting at the host's ratio.
    tc.framing = transport::Framing::kLumen;
    tc.lumen =
        transport::NegotiatedLumenParams(launch.key, config.lumen->offer, config.lumen->accept);
    tc.packet_size = int(config.lumen->accept.mtu);
  }
  Impl* raw = impl.get();
  auto t = transport::VideoTransport::Create(tc, [raw](const host::ControlMessage& m) {
    if (m.type == host::ControlType::kRequestIdr) raw->idr_requested = true;
  });
  if (!t.ok()) return t.status();
  impl->transport = std::move(*t);
  {
    std::lock_guard l(impl->mu);
    impl->stats.encoder = impl->encoder->encoder_name();
    impl->stats.framing =
        config.lumen ? absl::StrCat("lumen/", transport::AeadName(config.lumen->accept.aead))
                     : std::string("moonlight");
  }
  return std::unique_ptr<VideoStream>(new VideoStream(std::move(impl)));
}

VideoStream::VideoStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->thread = std::thread([this] { impl_->Loop(); });
}

VideoStream::~VideoStream() {
  impl_->stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
}

void VideoStream::RequestIdr() {
  impl_->idr_requested = true;
  std::lock_guard l(impl_->mu);
  ++impl_->stats.idr_requests;
}

uint16_t VideoStream::local_port() const { return impl_->transport->local_port(); }
bool VideoStream::has_destination() const { return impl_->transport->has_destination(); }

VideoStreamStats VideoStream::stats() const {
  std::lock_guard l(impl_->mu);
  VideoStreamStats s = impl_->stats;
  s.pings = impl_->transport->stats().pings;
  return s;
}

}  // namespace lumen::moonlight::stream

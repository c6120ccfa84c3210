// libFuzzer target for the Moonlight SDP handling (host/moonlight/rtsp/sdp.h): ANNOUNCE
// bodies under several host policies. Input layout: [0] policy bits (HEVC, AV1, HDR, 4:4:4,
// require encryption), [1] Host header choice, rest: the ANNOUNCE body. Accepted configs
// must satisfy the parser's documented ranges.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/moonlight/rtsp/sdp.h"

namespace {
[[noreturn]] void Fail() { __builtin_trap(); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  if (size < 2 || size > 65536) return 0;
  namespace rtsp = lumen::moonlight::rtsp;
  rtsp::AnnouncePolicy p;
  p.allow_hevc = in[0] & 1;
  p.allow_av1 = in[0] & 2;
  p.allow_hdr = in[0] & 4;
  p.allow_444 = in[0] & 8;
  p.require_encryption = in[0] & 16;
  p.fec_percentage = (in[0] >> 5) * 30;
  const std::string_view host = (in[1] & 1) ? "0.0.0.0" : "192.168.1.10";
  const std::string_view body(reinterpret_cast<const char*>(in) + 2, size - 2);
  auto c = rtsp::ParseAnnounce(body, host, p);
  if (!c.ok()) return 0;
  if (c->width < 16 || c->width > p.max_width || c->height < 16 || c->height > p.max_height) Fail();
  if (c->fps < 1 || c->fps > p.max_fps || c->packet_size < 64 || c->packet_size % 16) Fail();
  if (c->audio_channels != 2 && c->audio_channels != 6 && c->audio_channels != 8) Fail();
  if (c->codec == lumen::moonlight::VideoCodec::kHevc && !p.allow_hevc) Fail();
  if (c->codec == lumen::moonlight::VideoCodec::kAv1 && !p.allow_av1) Fail();
  if (c->hdr && !p.allow_hdr) Fail();
  if (c->encoder_bitrate_kbps <= 0 || c->video_encrypted()) Fail();
  (void)rtsp::BuildDescribeSdp({});
  return 0;
}

// libFuzzer target for the Moonlight RTSP request path (host/moonlight/rtsp): the strict
// request parser, the rtspenc framing and, for ANNOUNCE requests, the SDP parser.
// Input layout: [0] mode
//   0: bytes are a plaintext request -> ParseRequest (+ ParseAnnounce on an ANNOUNCE body)
//   1: bytes are an encrypted frame -> UnsealRtspMessage with a fixed key, then ParseRequest
//   2: bytes are a plaintext that must survive SealRtspMessage -> UnsealRtspMessage exactly
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "host/moonlight/rtsp/rtsp_cipher.h"
#include "host/moonlight/rtsp/rtsp_message.h"
#include "host/moonlight/rtsp/sdp.h"

namespace {

namespace rtsp = lumen::moonlight::rtsp;

[[noreturn]] void Fail() { __builtin_trap(); }

void ParseAndCheck(std::string_view text) {
  rtsp::Request r;
  size_t used = 0;
  if (rtsp::ParseRequest(text, &r, &used) != rtsp::ParseStatus::kOk) return;
  if (used > text.size() || r.body.size() > rtsp::kMaxBodyBytes) Fail();
  if (r.headers.size() > rtsp::kMaxHeaders || r.method.empty()) Fail();
  (void)rtsp::SetupStreamType(r.target);
  const std::string reply = rtsp::FormatResponse(200, "OK", r.cseq, r.headers, r.body);
  if (reply.rfind("RTSP/1.0 200 OK\r\nCSeq: ", 0) != 0) Fail();
  if (r.method == "ANNOUNCE") {
    auto host = r.Header("Host");
    auto c = rtsp::ParseAnnounce(r.body, host ? *host : std::string_view(), {});
    if (c.ok() && (c->width < 16 || c->packet_size % 16 != 0 || c->fps < 1)) Fail();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  if (size < 1 || size > 65536) return 0;
  const std::string_view data(reinterpret_cast<const char*>(in) + 1, size - 1);
  rtsp::AesKey key{};
  for (int i = 0; i < 16; ++i) key[i] = static_cast<uint8_t>(0xA0 + i);
  switch (in[0] % 3) {
    case 0:
      ParseAndCheck(data);
      break;
    case 1: {
      std::string plain;
      uint32_t seq = 0;
      size_t used = 0;
      if (rtsp::UnsealRtspMessage(key, 'C', data, &plain, &seq, &used) ==
          rtsp::UnsealStatus::kOk) {
        if (used > data.size()) Fail();
        ParseAndCheck(plain);
      }
      break;
    }
    case 2: {
      if (data.size() > rtsp::kMaxEncryptedPayload) return 0;
      const std::string sealed = rtsp::SealRtspMessage(key, 7, 'H', data);
      std::string plain;
      uint32_t seq = 0;
      size_t used = 0;
      if (rtsp::UnsealRtspMessage(key, 'H', sealed, &plain, &seq, &used) !=
              rtsp::UnsealStatus::kOk ||
          plain != data || seq != 7 || used != sealed.size()) {
        Fail();
      }
      break;
    }
  }
  return 0;
}

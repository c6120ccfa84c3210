// RTSP message parsing and formatting for the Moonlight handshake (protocol doc §5).
//
// The parser is strict and bounded: it accepts exactly one request of the shape
// moonlight-common-c sends ("METHOD target RTSP/1.0\r\n", "Name: value\r\n" headers,
// "\r\n", then Content-length bytes of body) and rejects anything else with a
// specific ParseStatus. It never allocates more than the configured limits and never
// reads outside the given buffer, so it is safe on hostile input (see
// tools/fuzz/rtsp_request_fuzz.cc).
//
// Responses are formatted the way the client's parser (RtspParser.c) needs them:
// "RTSP/1.0 <code> <text>\r\n", "Name: value\r\n" with exactly one space, a blank line,
// then the body. The client reads to EOF, so no Content-Length is written.
#ifndef LUMEN_HOST_MOONLIGHT_RTSP_RTSP_MESSAGE_H_
#define LUMEN_HOST_MOONLIGHT_RTSP_RTSP_MESSAGE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lumen::moonlight::rtsp {

// Hard limits on what the parser accepts. A real ANNOUNCE is ~1.5 KB.
inline constexpr size_t kMaxHeaderBytes = 8192;  // request line + headers + blank line
inline constexpr size_t kMaxBodyBytes = 32768;
inline constexpr size_t kMaxHeaders = 48;

enum class ParseStatus : uint8_t {
  kOk,              // a complete request was parsed
  kIncomplete,      // need more bytes (headers or body not complete yet)
  kHeaderTooLarge,  // no end of headers within kMaxHeaderBytes
  kBodyTooLarge,    // Content-length above kMaxBodyBytes
  kBadRequestLine,  // not "METHOD SP target SP RTSP/1.0"
  kBadHeader,       // header line without ": ", bad characters, too many headers
  kBadContentLength,
  kMissingCSeq,  // every Moonlight request carries CSeq
};

const char* ParseStatusName(ParseStatus s);

struct Request {
  std::string method;  // e.g. "SETUP"; upper-case ASCII letters only
  std::string target;  // e.g. "streamid=audio/0/0" or "rtsp://1.2.3.4:48010"
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
  std::string body;
  uint32_t cseq = 0;

  // Value of the first header whose name equals `name` exactly (the Moonlight
  // client uses fixed spellings); nullopt if absent.
  std::optional<std::string_view> Header(std::string_view name) const;
  // Same, ASCII case-insensitive (for "Content-length" and friends).
  std::optional<std::string_view> HeaderIgnoreCase(std::string_view name) const;
};

// Parses one request from the start of `data`. On kOk fills `*out` and sets `*consumed`
// to the number of bytes the request used. On any other status `*out` is unspecified.
// Bytes beyond `consumed` are left for the caller (the host rejects them: one request
// per connection).
ParseStatus ParseRequest(std::string_view data, Request* out, size_t* consumed);

// Formats a response. `headers` must not contain CR or LF (checked: offending headers
// are dropped). `cseq` is always written first.
std::string FormatResponse(int code, std::string_view reason, uint32_t cseq,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string_view body = {});

// The stream type of a SETUP target such as "streamid=video/0/0": the text between
// '=' and the next '/'. Empty if the target has no '='.
std::string_view SetupStreamType(std::string_view target);

}  // namespace lumen::moonlight::rtsp

#endif  // LUMEN_HOST_MOONLIGHT_RTSP_RTSP_MESSAGE_H_

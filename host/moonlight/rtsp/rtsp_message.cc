// RTSP request parser and response formatter (see rtsp_message.h).
#include "host/moonlight/rtsp/rtsp_message.h"

#include <charconv>

namespace lumen::moonlight::rtsp {
namespace {

bool IsUpperAlpha(char c) { return c >= 'A' && c <= 'Z'; }
// Visible ASCII without space (RFC 2326 token-ish, permissive for targets).
bool IsVisible(char c) { return c > 0x20 && c < 0x7f; }
bool IsHeaderValueChar(char c) { return c == '\t' || (c >= 0x20 && c < 0x7f); }
bool IsHeaderNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Parses a decimal uint32 with no sign, no leading/trailing junk except spaces.
std::optional<uint32_t> ParseU32(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

const char* ParseStatusName(ParseStatus s) {
  switch (s) {
    case ParseStatus::kOk:
      return "ok";
    case ParseStatus::kIncomplete:
      return "incomplete";
    case ParseStatus::kHeaderTooLarge:
      return "header too large";
    case ParseStatus::kBodyTooLarge:
      return "body too large";
    case ParseStatus::kBadRequestLine:
      return "bad request line";
    case ParseStatus::kBadHeader:
      return "bad header";
    case ParseStatus::kBadContentLength:
      return "bad content length";
    case ParseStatus::kMissingCSeq:
      return "missing CSeq";
  }
  return "unknown";
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::HeaderIgnoreCase(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

ParseStatus ParseRequest(std::string_view data, Request* out, size_t* consumed) {
  const size_t end = data.substr(0, kMaxHeaderBytes).find("\r\n\r\n");
  if (end == std::string_view::npos) {
    return data.size() >= kMaxHeaderBytes ? ParseStatus::kHeaderTooLarge : ParseStatus::kIncomplete;
  }
  std::string_view head = data.substr(0, end + 2);  // keep the last line's CRLF
  out->method.clear();
  out->target.clear();
  out->headers.clear();
  out->body.clear();
  out->cseq = 0;

  // Request line: METHOD SP target SP RTSP/1.0 CRLF
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  head.remove_prefix(eol + 2);
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0 || sp1 > 16) return ParseStatus::kBadRequestLine;
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return ParseStatus::kBadRequestLine;
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view proto = line.substr(sp2 + 1);
  for (char c : method) {
    if (!IsUpperAlpha(c)) return ParseStatus::kBadRequestLine;
  }
  for (char c : target) {
    if (!IsVisible(c)) return ParseStatus::kBadRequestLine;
  }
  if (proto != "RTSP/1.0") return ParseStatus::kBadRequestLine;
  out->method.assign(method);
  out->target.assign(target);

  // Headers.
  while (!head.empty()) {
    eol = head.find("\r\n");
    line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return ParseStatus::kBadHeader;
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    for (char c : name) {
      if (!IsHeaderNameChar(c)) return ParseStatus::kBadHeader;
    }
    for (char c : value) {
      if (!IsHeaderValueChar(c)) return ParseStatus::kBadHeader;
    }
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
      value.remove_suffix(1);
    }
    if (out->headers.size() >= kMaxHeaders) return ParseStatus::kBadHeader;
    out->headers.emplace_back(std::string(name), std::string(value));
  }

  auto cseq = out->Header("CSeq");
  if (!cseq) return ParseStatus::kMissingCSeq;
  auto cseq_value = ParseU32(*cseq);
  if (!cseq_value) return ParseStatus::kMissingCSeq;
  out->cseq = *cseq_value;

  size_t body_len = 0;
  if (auto cl = out->HeaderIgnoreCase("Content-length")) {
    auto v = ParseU32(*cl);
    if (!v) return ParseStatus::kBadContentLength;
    if (*v > kMaxBodyBytes) return ParseStatus::kBodyTooLarge;
    body_len = *v;
  }
  const size_t body_start = end + 4;
  if (data.size() - body_start < body_len) return ParseStatus::kIncomplete;
  out->body.assign(data.substr(body_start, body_len));
  *consumed = body_start + body_len;
  return ParseStatus::kOk;
}

std::string FormatResponse(int code, std::string_view reason, uint32_t cseq,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string_view body) {
  std::string s;
  s.reserve(128 + body.size());
  s += "RTSP/1.0 ";
  s += std::to_string(code);
  s += ' ';
  s += reason;
  s += "\r\nCSeq: ";
  s += std::to_string(cseq);
  s += "\r\n";
  for (const auto& [k, v] : headers) {
    if (k.find_first_of("\r\n:") != std::string::npos ||
        v.find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    s += k;
    s += ": ";
    s += v;
    s += "\r\n";
  }
  s += "\r\n";
  s += body;
  return s;
}

std::string_view SetupStreamType(std::string_view target) {
  const size_t eq = target.find('=');
  if (eq == std::string_view::npos) return {};
  std::string_view rest = target.substr(eq + 1);
  return rest.substr(0, rest.find('/'));
}

}  // namespace lumen::moonlight::rtsp

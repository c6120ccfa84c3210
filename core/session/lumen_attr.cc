// core/session/lumen_attr.cc — x-lumen-transport SDP attribute codec (see lumen_attr.h).
#include "core/session/lumen_attr.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "core/transport/wire.h"

namespace lumen::session {
namespace {

// Debian's Abseil has its own string_view type; work in it internally.
using SV = absl::string_view;

SV ToAbsl(std::string_view s) { return SV(s.data(), s.size()); }

constexpr char kHex[] = "0123456789abcdef";
constexpr SV kAttrName(kLumenAttrName.data(), kLumenAttrName.size());

std::string Hex(const uint8_t* p, size_t n) {
  std::string s;
  s.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kHex[p[i] >> 4]);
    s.push_back(kHex[p[i] & 15]);
  }
  return s;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseHex(SV s, uint8_t* out, size_t n) {
  if (s.size() != n * 2) return false;
  for (size_t i = 0; i < n; ++i) {
    const int hi = HexDigit(s[2 * i]), lo = HexDigit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = uint8_t(hi << 4 | lo);
  }
  return true;
}

// Returns the attribute value (after "a=x-lumen-transport:") of the first matching line.
absl::StatusOr<SV> FindValue(SV sdp) {
  for (SV line : absl::StrSplit(sdp, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&line, "a=")) continue;
    if (!absl::ConsumePrefix(&line, kAttrName)) continue;
    if (!absl::ConsumePrefix(&line, ":")) continue;
    return absl::StripAsciiWhitespace(line);
  }
  return absl::NotFoundError("no x-lumen-transport attribute");
}

struct Tokens {
  SV nonce, sid, aead, mtu;
};

absl::StatusOr<Tokens> Split(SV value) {
  std::vector<SV> parts = absl::StrSplit(value, ' ', absl::SkipEmpty());
  if (parts.empty()) return absl::InvalidArgumentError("empty x-lumen-transport value");
  SV ver = parts[0];
  uint32_t major = 0;
  if (!absl::ConsumePrefix(&ver, "v") || !absl::SimpleAtoi(ver, &major)) {
    return absl::InvalidArgumentError(absl::StrCat("bad lumen transport version '", parts[0], "'"));
  }
  if (major != kLumenTransportVersion) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported lumen transport version ", major));
  }
  Tokens t;
  for (size_t i = 1; i < parts.size(); ++i) {
    const size_t eq = parts[i].find('=');
    if (eq == SV::npos) continue;
    const SV key = parts[i].substr(0, eq), val = parts[i].substr(eq + 1);
    if (key == "nonce") t.nonce = val;
    if (key == "sid") t.sid = val;
    if (key == "aead") t.aead = val;
    if (key == "mtu") t.mtu = val;
  }
  return t;
}

}  // namespace

std::string BuildOfferLine(const LumenOffer& offer) {
  uint8_t sid[4];
  transport::PutBe32(sid, offer.session_id);
  std::string aeads;
  if (offer.aes256gcm) aeads = transport::AeadName(transport::Aead::kAes256Gcm);
  if (offer.xchacha20poly1305) {
    if (!aeads.empty()) aeads += ",";
    aeads += transport::AeadName(transport::Aead::kXChaCha20Poly1305);
  }
  return absl::StrCat("a=", kAttrName, ":v", kLumenTransportVersion,
                      " nonce=", Hex(offer.nonce.data(), offer.nonce.size()), " sid=", Hex(sid, 4),
                      " aead=", aeads, "\r\n");
}

std::string BuildAcceptLine(const LumenAccept& accept) {
  return absl::StrCat("a=", kAttrName, ":v", kLumenTransportVersion,
                      " nonce=", Hex(accept.nonce.data(), accept.nonce.size()),
                      " aead=", transport::AeadName(accept.aead), " mtu=", accept.mtu, " \r\n");
}

absl::StatusOr<LumenOffer> ParseOffer(std::string_view sdp) {
  absl::StatusOr<SV> value = FindValue(ToAbsl(sdp));
  if (!value.ok()) return value.status();
  absl::StatusOr<Tokens> t = Split(*value);
  if (!t.ok()) return t.status();
  LumenOffer o;
  if (!ParseHex(t->nonce, o.nonce.data(), o.nonce.size())) {
    return absl::InvalidArgumentError("offer nonce must be 32 hex digits");
  }
  uint8_t sid[4];
  if (!ParseHex(t->sid, sid, 4))
    return absl::InvalidArgumentError("offer sid must be 8 hex digits");
  o.session_id = transport::GetBe32(sid);
  o.aes256gcm = o.xchacha20poly1305 = false;
  for (SV a : absl::StrSplit(t->aead, ',', absl::SkipEmpty())) {
    if (a == transport::AeadName(transport::Aead::kAes256Gcm)) o.aes256gcm = true;
    if (a == transport::AeadName(transport::Aead::kXChaCha20Poly1305)) o.xchacha20poly1305 = true;
  }
  if (!o.aes256gcm && !o.xchacha20poly1305) {
    return absl::InvalidArgumentError("offer lists no known AEAD");
  }
  return o;
}

absl::StatusOr<LumenAccept> ParseAccept(std::string_view sdp) {
  absl::StatusOr<SV> value = FindValue(ToAbsl(sdp));
  if (!value.ok()) return value.status();
  absl::StatusOr<Tokens> t = Split(*value);
  if (!t.ok()) return t.status();
  LumenAccept a;
  if (!ParseHex(t->nonce, a.nonce.data(), a.nonce.size())) {
    return absl::InvalidArgumentError("accept nonce must be 32 hex digits");
  }
  if (t->aead == transport::AeadName(transport::Aead::kAes256Gcm)) {
    a.aead = transport::Aead::kAes256Gcm;
  } else if (t->aead == transport::AeadName(transport::Aead::kXChaCha20Poly1305)) {
    a.aead = transport::Aead::kXChaCha20Poly1305;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("accept names unknown AEAD '", t->aead, "'"));
  }
  if (!t->mtu.empty()) {
    if (!absl::SimpleAtoi(t->mtu, &a.mtu) || a.mtu < 112 || a.mtu > 65535) {
      return absl::InvalidArgumentError("accept mtu must be 112..65535");
    }
  }
  return a;
}

transport::Aead ChooseAead(const LumenOffer& offer, bool client_has_aes) {
  if (offer.aes256gcm && client_has_aes) return transport::Aead::kAes256Gcm;
  return transport::Aead::kXChaCha20Poly1305;
}

bool AcceptMatchesOffer(const LumenOffer& offer, const LumenAccept& accept) {
  const bool aead_ok =
      accept.aead == transport::Aead::kAes256Gcm ? offer.aes256gcm : offer.xchacha20poly1305;
  return aead_ok && transport::ShardBytesForBudget(accept.mtu) > 0;
}

}  // namespace lumen::session

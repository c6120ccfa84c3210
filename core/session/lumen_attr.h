// core/session/lumen_attr.h — build/parse the SDP attributes that negotiate lumen transport.
//
// The host offers lumen transport in its DESCRIBE reply body with one extra SDP line; a
// lumen-aware client opts in with one extra attribute in its ANNOUNCE body. Stock Moonlight
// clients look for known substrings only and ignore this line, and never send the answer,
// so they keep Moonlight framing (docs/lumen-transport.md "Negotiation").
//
//   host (DESCRIBE):
//     a=x-lumen-transport:v1 nonce=<32 hex> sid=<8 hex> aead=aes256gcm,xchacha20poly1305
//   client (ANNOUNCE):
//     a=x-lumen-transport:v1 nonce=<32 hex> aead=<one of the offered> mtu=<bytes>
//
// Tokens are space separated `key=value` after the version token; unknown keys are ignored
// (forward compatible); hex is lower- or upper-case. The host's sid is the session id that
// every lumen datagram carries. The client's mtu is its datagram budget (the shard size is
// ShardBytesForBudget(mtu)); it defaults to 1408 when absent.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/transport/crypto.h"

namespace lumen::session {

inline constexpr std::string_view kLumenAttrName = "x-lumen-transport";
inline constexpr uint32_t kLumenTransportVersion = 1;
inline constexpr uint32_t kDefaultLumenMtu = 1408;

using NegotiationNonce = std::array<uint8_t, transport::kNegotiationNonceBytes>;

struct LumenOffer {  // host -> client
  NegotiationNonce nonce{};
  uint32_t session_id = 0;
  bool aes256gcm = false;         // host can run AES-256-GCM
  bool xchacha20poly1305 = true;  // always true for a v1 host
};

struct LumenAccept {  // client -> host
  NegotiationNonce nonce{};
  transport::Aead aead = transport::Aead::kXChaCha20Poly1305;
  uint32_t mtu = kDefaultLumenMtu;
};

// The full SDP line for the host's DESCRIBE body, with "\r\n".
std::string BuildOfferLine(const LumenOffer& offer);
// The attribute for the client's ANNOUNCE body: "a=x-lumen-transport:<value> \r\n" (the
// trailing space matches moonlight-common-c's SDP generator).
std::string BuildAcceptLine(const LumenAccept& accept);

// Finds and parses the offer in a DESCRIBE body (or a single line). NotFound when the body
// has no x-lumen-transport line (a host without lumen transport); InvalidArgument when the
// line is malformed, has another major version, or offers no AEAD we know.
absl::StatusOr<LumenOffer> ParseOffer(std::string_view sdp);
// Same for the client's answer in an ANNOUNCE body.
absl::StatusOr<LumenAccept> ParseAccept(std::string_view sdp);

// The client's choice: AES-256-GCM when both sides can run it, else XChaCha20-Poly1305.
transport::Aead ChooseAead(const LumenOffer& offer, bool client_has_aes);

// True when `accept` is a valid answer to `offer` (AEAD among those offered, mtu sane).
bool AcceptMatchesOffer(const LumenOffer& offer, const LumenAccept& accept);

}  // namespace lumen::session

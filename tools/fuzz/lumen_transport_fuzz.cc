// libFuzzer target for lumen's transport receive side (core/transport/receiver.h), the
// feedback codec and the x-lumen-transport SDP parsers. Never crashes, never delivers a
// frame that differs from what the sender sent. Input layout (hard caps keep runs small):
//   [0] mode: 0 = raw datagrams, 1 = real frame + mutations, 2 = feedback/SDP parsers
//   mode 0: rest = sequence of (LE16 length, bytes) datagrams fed to a FrameReceiver
//   mode 1: [1..2] frame length (LE, capped), [3] m, [4] shard size / 64, [5] frame id,
//           rest = per-datagram ops, one byte each: bit0-1 0 deliver, 1 drop, 2 flip a bit
//           (position from the next byte), 3 deliver twice
//   mode 2: rest = bytes handed to DecodeFeedbackBody, OpenFeedback, ParseOffer/ParseAccept
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/session/lumen_attr.h"
#include "core/transport/feedback.h"
#include "core/transport/receiver.h"
#include "core/transport/sender.h"

namespace {

using namespace lumen::transport;

constexpr uint32_t kSession = 0xF0220001;
constexpr size_t kMaxFrame = 32 << 10;
constexpr size_t kMaxShard = 1024;

[[noreturn]] void Fail() { __builtin_trap(); }

Key FuzzKey() {
  Key k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = uint8_t(i * 13 + 1);
  return k;
}

bool MakeReceiver(FrameReceiver& rx) {
  ReceiverConfig rc;
  rc.session_id = kSession;
  rc.max_shard_bytes = kMaxShard;
  rc.max_frame_bytes = kMaxFrame;
  rc.frames_in_flight = 3;
  return rx.Init(rc, Aead::kXChaCha20Poly1305, FuzzKey()).ok();
}

void RawDatagrams(const uint8_t* in, size_t size) {
  static FrameReceiver rx;
  static bool ready = MakeReceiver(rx);
  if (!ready) Fail();
  ReceivedFrame f;
  FeedbackMessage fb;
  size_t pos = 0;
  while (pos + 2 <= size) {
    const size_t len = std::min<size_t>(in[pos] | size_t(in[pos + 1]) << 8, size - pos - 2);
    pos += 2;
    // Copy so the receiver sees exactly `len` readable bytes (ASan catches over-reads).
    std::vector<uint8_t> d(in + pos, in + pos + len);
    if (rx.Receive(d.data(), d.size(), &f, &fb) == RxStatus::kFrameComplete) {
      Fail();  // nothing forged can authenticate
    }
    pos += len;
  }
}

void RealFrame(const uint8_t* in, size_t size) {
  if (size < 6) return;
  const size_t len = 1 + (size_t(in[1]) | size_t(in[2]) << 8) % kMaxFrame;
  const uint32_t m = in[3] % 40;
  const size_t shard = 64 * (1 + in[4] % (kMaxShard / 64));
  const uint32_t frame_id = 0xFFFFFFF0u + in[5];  // near the wrap
  static FrameSender tx;
  static size_t tx_shard = 0;
  if (tx_shard != shard) {
    SenderConfig sc;
    sc.session_id = kSession;
    sc.shard_bytes = shard;
    sc.max_frame_bytes = kMaxFrame;
    if (!tx.Init(sc, Aead::kXChaCha20Poly1305, FuzzKey()).ok()) Fail();
    tx_shard = shard;
  }
  FrameReceiver rx;
  if (!MakeReceiver(rx)) Fail();
  std::vector<uint8_t> frame(len);
  for (size_t i = 0; i < len; ++i) frame[i] = uint8_t(i * 31 + in[5]);
  const uint32_t n = tx.DataShards(len) + m;
  std::vector<uint8_t> out(size_t(n) * tx.datagram_bytes());
  uint32_t count = 0;
  const SendStatus st = tx.PacketizeFrame(frame.data(), len, frame_id, m, 0, out.data(),
                                          tx.datagram_bytes(), n, &count);
  // The sender sizes parity for up to 100 % of the largest frame: more is refused cleanly.
  const uint32_t max_k = uint32_t((kMaxFrame + shard - 1) / shard);
  if (st == SendStatus::kTooManyShards && m > std::max<uint32_t>(max_k, 2)) return;
  if (st != SendStatus::kOk || count != n) Fail();
  const uint8_t* ops = in + 6;
  const size_t nops = size - 6;
  uint32_t delivered = 0, completions = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t op = i < nops ? ops[i] : 0;
    std::vector<uint8_t> d(out.data() + size_t(i) * tx.datagram_bytes(),
                           out.data() + size_t(i + 1) * tx.datagram_bytes());
    const int kind = op & 3;
    if (kind == 1) continue;
    if (kind == 2) d[(op >> 2) * 37 % d.size()] ^= uint8_t(1 << (op & 7));
    for (int rep = 0; rep < (kind == 3 ? 2 : 1); ++rep) {
      ReceivedFrame f;
      const RxStatus st = rx.Receive(d.data(), d.size(), &f, nullptr);
      if (st == RxStatus::kFrameComplete) {
        ++completions;
        if (f.len != len || std::memcmp(f.data, frame.data(), len) != 0) Fail();
      }
      if (st == RxStatus::kAccepted || st == RxStatus::kFrameComplete) ++delivered;
    }
  }
  if (completions > 1) Fail();
  if (delivered >= tx.DataShards(len) && completions != 1) Fail();  // k shards must decode
}

void Parsers(const uint8_t* in, size_t size) {
  FeedbackMessage m;
  DecodeFeedbackBody(in, size, &m);
  static AeadContext aead;
  static bool ready = aead.Init(Aead::kXChaCha20Poly1305, FuzzKey()).ok();
  if (!ready) Fail();
  ReplayWindow replay;
  DropReason r;
  std::vector<uint8_t> d(in, in + size);
  if (OpenFeedback(aead, replay, kSession, d.data(), d.size(), &m, &r)) Fail();
  const std::string_view text(reinterpret_cast<const char*>(in), size);
  auto offer = lumen::session::ParseOffer(text);
  auto accept = lumen::session::ParseAccept(text);
  if (offer.ok()) {
    auto again = lumen::session::ParseOffer(lumen::session::BuildOfferLine(*offer));
    if (!again.ok() || again->nonce != offer->nonce || again->session_id != offer->session_id) {
      Fail();
    }
  }
  if (accept.ok()) {
    auto again = lumen::session::ParseAccept(lumen::session::BuildAcceptLine(*accept));
    if (!again.ok() || again->nonce != accept->nonce || again->mtu != accept->mtu) Fail();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  if (size < 1) return 0;
  switch (in[0] % 3) {
    case 0:
      RawDatagrams(in + 1, size - 1);
      break;
    case 1:
      RealFrame(in, size);
      break;
    case 2:
      Parsers(in + 1, size - 1);
      break;
  }
  return 0;
}

// Tests for the lumen transport sender/receiver (core/transport/sender.h, receiver.h):
// round trips with drop-each-packet sweeps, random loss within capacity, beyond capacity ->
// need IDR, a 4 MiB frame in one block, replay and tamper rejection, frame-id wrap,
// bounded frames in flight, hostile datagrams.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <random>
#include <vector>

#include "core/transport/fec_block.h"
#include "core/transport/fec_policy.h"
#include "core/transport/receiver.h"
#include "core/transport/sender.h"

namespace lumen::transport {
namespace {

constexpr uint32_t kSession = 0x5EED0001;

std::vector<uint8_t> RandomFrame(size_t len, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> v(len);
  for (auto& b : v) b = uint8_t(rng());
  return v;
}

struct Link {
  DirectionalKeys keys;
  FrameSender tx;
  FrameReceiver rx;
  std::vector<uint8_t> out;  // datagrams, stride = datagram_bytes
  size_t stride = 0;
  uint32_t count = 0;

  Link(size_t shard, size_t max_frame, Aead aead = Aead::kXChaCha20Poly1305, size_t in_flight = 4,
       uint32_t reorder = 2) {
    std::vector<uint8_t> rikey(16, 0x11), hn(16, 0x22), cn(16, 0x33);
    keys = DeriveKeys(rikey, hn, cn, kSession).value();
    SenderConfig sc;
    sc.session_id = kSession;
    sc.shard_bytes = shard;
    sc.max_frame_bytes = max_frame;
    REQUIRE(tx.Init(sc, aead, keys.host_to_client).ok());
    ReceiverConfig rc;
    rc.session_id = kSession;
    rc.max_shard_bytes = shard;
    rc.max_frame_bytes = max_frame;
    rc.frames_in_flight = in_flight;
    rc.reorder_frames = reorder;
    REQUIRE(rx.Init(rc, aead, keys.host_to_client).ok());
    stride = tx.datagram_bytes();
  }

  // Packetizes a frame into `out`; returns the number of datagrams.
  uint32_t Send(const std::vector<uint8_t>& frame, uint32_t frame_id, uint32_t m,
                uint8_t flags = 0) {
    const uint32_t n = tx.DataShards(frame.size()) + m;
    out.assign(size_t(n) * stride, 0);
    REQUIRE(tx.PacketizeFrame(frame.data(), frame.size(), frame_id, m, flags, out.data(), stride, n,
                              &count) == SendStatus::kOk);
    REQUIRE(count == n);
    return n;
  }
  const uint8_t* Datagram(uint32_t i) const { return out.data() + size_t(i) * stride; }
  std::vector<uint8_t> Copy(uint32_t i) const {
    return std::vector<uint8_t>(Datagram(i), Datagram(i) + stride);
  }
};

// Delivers the datagrams listed in `order`; returns true if the frame completed and matches.
bool Deliver(Link& l, const std::vector<uint32_t>& order, const std::vector<uint8_t>& frame,
             uint32_t frame_id, bool* recovered = nullptr) {
  bool done = false;
  for (uint32_t i : order) {
    ReceivedFrame f;
    const RxStatus st = l.rx.Receive(l.Datagram(i), l.stride, &f, nullptr);
    if (st == RxStatus::kFrameComplete) {
      if (done) return false;  // delivered twice
      done = true;
      if (f.frame_id != frame_id || f.len != frame.size() ||
          std::memcmp(f.data, frame.data(), frame.size()) != 0) {
        return false;
      }
      if (recovered) *recovered = f.recovered;
    }
  }
  return done;
}

// Shuffles within consecutive windows of `w` (bounded reordering, as on a real path).
template <class Rng>
void LocalShuffle(std::vector<uint32_t>& v, size_t w, Rng& rng) {
  for (size_t i = 0; i < v.size(); i += w) {
    std::shuffle(v.begin() + i, v.begin() + std::min(v.size(), i + w), rng);
  }
}

std::vector<uint32_t> AllBut(uint32_t n, std::initializer_list<uint32_t> drop) {
  std::vector<uint32_t> v;
  for (uint32_t i = 0; i < n; ++i) {
    if (std::find(drop.begin(), drop.end(), i) == drop.end()) v.push_back(i);
  }
  return v;
}

TEST_SUITE("LumenTransport") {
  TEST_CASE("LumenTransport.CodecBuckets") {
    for (uint32_t n = 1; n <= 65535; ++n) {
      const uint32_t b = CodecBucket(n);
      REQUIRE(b >= n);
      REQUIRE(uint64_t(b) * 16 <= uint64_t(n) * 17 + 16 * 16);  // <= 1/16 extra (+ small n)
      REQUIRE(CodecBucket(b) == b);                             // idempotent
      if (n > 1) REQUIRE(b >= CodecBucket(n - 1));              // monotone
    }
    CHECK(CodecBucket(32) == 32);
    CHECK(CodecBucket(33) == 34);
    CHECK(CodecBucket(3121) == 3200);
    CHECK(CodecShapeFor(3121, 625) == CodecShape{3200, 640});
    CHECK(CodecShapeFor(60000, 5535) == CodecShape{60000, 5535});  // exact near the limit
  }

  TEST_CASE("LumenTransport.RoundTripNoLoss") {
    for (Aead aead : {Aead::kXChaCha20Poly1305, Aead::kAes256Gcm}) {
      if (aead == Aead::kAes256Gcm && !AesGcmAvailable()) continue;
      CAPTURE(AeadName(aead));
      Link l(1344, 1 << 20, aead);
      for (size_t len : {size_t(1), size_t(1343), size_t(1344), size_t(1345), size_t(100000)}) {
        CAPTURE(len);
        const auto frame = RandomFrame(len, len);
        const uint32_t m = ParityShards(l.tx.DataShards(len), 200, FecPolicyConfig{});
        const uint32_t n = l.Send(frame, uint32_t(len), m, kFlagKeyframe);
        CHECK(l.stride == 1392);
        bool rec = true;
        CHECK(Deliver(l, AllBut(n, {}), frame, uint32_t(len), &rec));
        CHECK_FALSE(rec);
      }
      CHECK(l.rx.counters().total_dropped() == 0);
    }
  }

  TEST_CASE("LumenTransport.DropEachPacketSweep") {
    Link l(128, 64 << 10);
    const auto frame = RandomFrame(10 * 128 - 17, 1);  // k = 10
    uint32_t fid = 100;
    for (uint32_t m : {1u, 2u, 3u}) {
      const uint32_t n = 10 + m;
      for (uint32_t drop = 0; drop < n; ++drop) {
        CAPTURE(m);
        CAPTURE(drop);
        l.Send(frame, fid, m);
        bool rec = false;
        REQUIRE(Deliver(l, AllBut(n, {drop}), frame, fid, &rec));
        CHECK(rec == (drop < 10));
        ++fid;
      }
    }
    // Every pair for m = 2.
    for (uint32_t a = 0; a < 12; ++a) {
      for (uint32_t b = a + 1; b < 12; ++b) {
        CAPTURE(a);
        CAPTURE(b);
        l.Send(frame, fid, 2);
        REQUIRE(Deliver(l, AllBut(12, {a, b}), frame, fid));
        ++fid;
      }
    }
    CHECK(l.rx.counters().frames_lost == 0);
    CHECK_FALSE(l.rx.need_idr());
  }

  TEST_CASE("LumenTransport.RandomLossWithinCapacityReorderedWithDuplicates") {
    Link l(256, 256 << 10);
    std::mt19937 rng(4242);
    for (uint32_t fid = 0; fid < 60; ++fid) {
      const size_t len = 1 + rng() % (200 << 10);
      CAPTURE(fid);
      CAPTURE(len);
      const auto frame = RandomFrame(len, fid);
      const uint32_t k = l.tx.DataShards(len);
      const uint32_t m = ParityShards(k, uint16_t(100 + rng() % 400), FecPolicyConfig{});
      const uint32_t n = l.Send(frame, fid, m);
      // Lose up to m at random, then add duplicates and reorder locally.
      std::vector<uint32_t> lost(n);
      for (uint32_t i = 0; i < n; ++i) lost[i] = i;
      std::shuffle(lost.begin(), lost.end(), rng);
      lost.resize(rng() % (m + 1));
      std::vector<uint32_t> order;
      for (uint32_t i = 0; i < n; ++i) {
        if (std::find(lost.begin(), lost.end(), i) == lost.end()) order.push_back(i);
      }
      for (int d = 0; d < 5; ++d) order.push_back(order[rng() % order.size()]);  // duplicates
      LocalShuffle(order, 300, rng);
      REQUIRE(Deliver(l, order, frame, fid));
    }
    CHECK(l.rx.counters().frames_lost == 0);
    CHECK(l.rx.counters().drops(DropReason::kReplay) +
              l.rx.counters().drops(DropReason::kDuplicate) + l.rx.counters().late_shards >=
          1);
  }

  TEST_CASE("LumenTransport.BeyondCapacityNeedsIdr") {
    Link l(128, 64 << 10, Aead::kXChaCha20Poly1305, 4, 2);
    const auto frame = RandomFrame(2000, 3);  // k = 16
    l.Send(frame, 0, 4, kFlagKeyframe);
    REQUIRE(Deliver(l, AllBut(20, {}), frame, 0));
    // Frame 1 loses m + 1 = 5 shards: it cannot complete.
    l.Send(frame, 1, 4);
    CHECK_FALSE(Deliver(l, AllBut(20, {0, 3, 5, 7, 9}), frame, 1));
    CHECK_FALSE(l.rx.need_idr());  // not yet known: a reordered shard could still come
    // Frames 2, 3 complete: within the reorder tolerance (2) frame 1 is still open.
    for (uint32_t fid = 2; fid <= 3; ++fid) {
      l.Send(frame, fid, 4);
      REQUIRE(Deliver(l, AllBut(20, {}), frame, fid));
    }
    CHECK_FALSE(l.rx.need_idr());
    l.Send(frame, 4, 4);
    REQUIRE(Deliver(l, AllBut(20, {}), frame, 4));
    CHECK(l.rx.need_idr());
    CHECK(l.rx.counters().frames_lost == 1);
    CHECK(l.rx.counters().idr_needed == 1);
    // A late shard of frame 1 is now stale.
    l.Send(frame, 1, 4);
    ReceivedFrame f;
    DropReason r{};
    CHECK(l.rx.Receive(l.Datagram(0), l.stride, &f, nullptr, &r) == RxStatus::kDropped);
    CHECK(r == DropReason::kStaleFrame);
    // A keyframe clears need-IDR.
    l.Send(frame, 5, 4, kFlagKeyframe);
    REQUIRE(Deliver(l, AllBut(20, {}), frame, 5));
    CHECK_FALSE(l.rx.need_idr());
    // A whole frame vanishing (never seen) is detected the same way.
    for (uint32_t fid = 7; fid <= 9; ++fid) {
      l.Send(frame, fid, 4);
      REQUIRE(Deliver(l, AllBut(20, {}), frame, fid));
    }
    CHECK(l.rx.need_idr());
    CHECK(l.rx.counters().frames_lost == 2);
  }

  TEST_CASE("LumenTransport.LargeFrameOneBlock") {
    // 4 MiB -> 3121 shards of 1344 B in one GF(2^16) block, 20 % parity, 20 % loss.
    Link l(1344, 5 << 20, AesGcmAvailable() ? Aead::kAes256Gcm : Aead::kXChaCha20Poly1305);
    const auto frame = RandomFrame(4 << 20, 77);
    const uint32_t k = l.tx.DataShards(frame.size());
    CHECK(k == 3121);
    const uint32_t m = ParityShards(k, 200, FecPolicyConfig{});
    CHECK(m == 625);
    const uint32_t n = l.Send(frame, 9, m, kFlagKeyframe);
    std::mt19937 rng(9);
    std::vector<uint32_t> lose(n);
    for (uint32_t i = 0; i < n; ++i) lose[i] = i;
    std::shuffle(lose.begin(), lose.end(), rng);
    std::vector<uint8_t> gone(n, 0);
    for (uint32_t i = 0; i < m; ++i) gone[lose[i]] = 1;  // exactly m lost, most of them data
    std::vector<uint32_t> order;
    for (uint32_t i = 0; i < n; ++i) {
      if (!gone[i]) order.push_back(i);
    }
    LocalShuffle(order, 1000, rng);
    bool rec = false;
    CHECK(Deliver(l, order, frame, 9, &rec));
    CHECK(rec);
    // One more loss than parity: cannot complete.
    l.Send(frame, 10, m);
    order.erase(order.begin());  // one more loss than parity
    CHECK_FALSE(Deliver(l, order, frame, 10));
  }

  TEST_CASE("LumenTransport.ReplayAndTamperRejected") {
    Link l(128, 64 << 10);
    const auto frame = RandomFrame(1000, 5);  // k = 8
    const uint32_t n = l.Send(frame, 1, 2);
    ReceivedFrame f;
    DropReason r{};
    CHECK(l.rx.Receive(l.Datagram(0), l.stride, &f, nullptr, &r) == RxStatus::kAccepted);
    CHECK(l.rx.Receive(l.Datagram(0), l.stride, &f, nullptr, &r) == RxStatus::kDropped);
    CHECK(r == DropReason::kReplay);
    // Tamper with each region of datagram 1: header, ciphertext, tag.
    for (size_t pos : {size_t(1), size_t(21), size_t(30), size_t(40), l.stride - 1}) {
      auto d = l.Copy(1);
      d[pos] ^= 0x04;
      CAPTURE(pos);
      CHECK(l.rx.Receive(d.data(), d.size(), &f, nullptr, &r) == RxStatus::kDropped);
      CHECK((r == DropReason::kAuthFailed || r == DropReason::kInconsistent ||
             r == DropReason::kBadShardCounts || r == DropReason::kBadFrameLength));
    }
    // Forged new frame id: rejected before it can take a slot.
    auto d = l.Copy(2);
    d[19] ^= 0x01;  // frame id 1 -> 0 would be stale; flip to a newer id
    d[18] ^= 0x01;
    CHECK(l.rx.Receive(d.data(), d.size(), &f, nullptr, &r) == RxStatus::kDropped);
    CHECK(r == DropReason::kAuthFailed);
    // The untouched datagrams still complete the frame.
    CHECK(Deliver(l, AllBut(n, {0}), frame, 1));
    // Wrong key: every datagram fails authentication.
    FrameReceiver other;
    ReceiverConfig rc;
    rc.session_id = kSession;
    rc.max_shard_bytes = 128;
    rc.max_frame_bytes = 64 << 10;
    REQUIRE(other.Init(rc, Aead::kXChaCha20Poly1305, l.keys.client_to_host).ok());
    CHECK(other.Receive(l.Datagram(3), l.stride, &f, nullptr, &r) == RxStatus::kDropped);
    CHECK(r == DropReason::kAuthFailed);
    // Wrong session id.
    rc.session_id = kSession + 1;
    REQUIRE(other.Init(rc, Aead::kXChaCha20Poly1305, l.keys.host_to_client).ok());
    CHECK(other.Receive(l.Datagram(3), l.stride, &f, nullptr, &r) == RxStatus::kDropped);
    CHECK(r == DropReason::kWrongSession);
  }

  TEST_CASE("LumenTransport.FrameIdWrap") {
    Link l(128, 64 << 10);
    const auto frame = RandomFrame(700, 6);
    for (uint32_t fid : {0xFFFFFFFDu, 0xFFFFFFFEu, 0xFFFFFFFFu, 0u, 1u, 2u}) {
      CAPTURE(fid);
      const uint32_t n = l.Send(frame, fid, 2);
      REQUIRE(Deliver(l, AllBut(n, {1}), frame, fid));
    }
    CHECK(l.rx.counters().frames_lost == 0);
    CHECK_FALSE(l.rx.need_idr());
  }

  TEST_CASE("LumenTransport.SenderRestartResyncs") {
    Link l(128, 64 << 10);
    const auto frame = RandomFrame(600, 13);
    for (uint32_t fid = 5000; fid < 5003; ++fid) {
      const uint32_t n = l.Send(frame, fid, 2);
      REQUIRE(Deliver(l, AllBut(n, {}), frame, fid));
    }
    // A frame a few behind is stale; one far behind (a restart at 0) is followed.
    uint32_t n = l.Send(frame, 4990, 2);
    CHECK_FALSE(Deliver(l, AllBut(n, {}), frame, 4990));
    CHECK(l.rx.counters().resyncs == 0);
    n = l.Send(frame, 0, 2, kFlagKeyframe);
    CHECK(Deliver(l, AllBut(n, {}), frame, 0));
    CHECK(l.rx.counters().resyncs == 1);
    CHECK_FALSE(l.rx.need_idr());  // the restart began with a keyframe
    n = l.Send(frame, 1, 2);
    CHECK(Deliver(l, AllBut(n, {0}), frame, 1));
    // A forged far-behind shard cannot force a resync.
    n = l.Send(frame, 2, 2);
    auto forged = l.Copy(0);
    forged[19] = 0x10;  // frame id 2 -> 16: not far behind; make it far behind instead
    forged[16] = 0x80;
    ReceivedFrame f;
    DropReason r{};
    CHECK(l.rx.Receive(forged.data(), forged.size(), &f, nullptr, &r) == RxStatus::kDropped);
    CHECK(r == DropReason::kAuthFailed);
    CHECK(l.rx.counters().resyncs == 1);
  }

  TEST_CASE("LumenTransport.InterleavedFramesBoundedInFlight") {
    Link l(128, 64 << 10, Aead::kXChaCha20Poly1305, 4, 8);
    const auto frame = RandomFrame(1500, 8);  // k = 12
    // Five frames interleaved, none complete: the 5th evicts the oldest (frame 0).
    std::vector<std::vector<uint8_t>> dgrams[5];
    for (uint32_t fid = 0; fid < 5; ++fid) {
      const uint32_t n = l.Send(frame, fid, 2);
      for (uint32_t i = 0; i < n; ++i) dgrams[fid].push_back(l.Copy(i));
    }
    ReceivedFrame f;
    for (uint32_t i = 0; i < 6; ++i) {
      for (uint32_t fid = 0; fid < 5; ++fid) {
        const RxStatus want = (fid == 0 && i > 0) ? RxStatus::kDropped : RxStatus::kAccepted;
        CAPTURE(i);
        CAPTURE(fid);
        CHECK(l.rx.Receive(dgrams[fid][i].data(), l.stride, &f, nullptr) == want);
      }
    }
    CHECK(l.rx.counters().frames_lost == 1);
    CHECK(l.rx.need_idr());
    // Frames 1..4 complete with the rest of their shards; frame 0 is stale.
    int done = 0;
    for (uint32_t fid = 0; fid < 5; ++fid) {
      for (uint32_t i = 6; i < 14; ++i) {
        if (l.rx.Receive(dgrams[fid][i].data(), l.stride, &f, nullptr) ==
            RxStatus::kFrameComplete) {
          CHECK(f.frame_id == fid);
          CHECK(std::memcmp(f.data, frame.data(), frame.size()) == 0);
          ++done;
        }
      }
    }
    CHECK(done == 4);
    CHECK(l.rx.counters().drops(DropReason::kStaleFrame) >= 1);
  }

  TEST_CASE("LumenTransport.NoParityFrames") {
    Link l(128, 64 << 10);
    const auto frame = RandomFrame(900, 10);
    const uint32_t n = l.Send(frame, 0, 0);
    CHECK(n == 8);
    CHECK(Deliver(l, AllBut(n, {}), frame, 0));
    l.Send(frame, 1, 0);
    CHECK_FALSE(Deliver(l, AllBut(n, {7}), frame, 1));
  }

  TEST_CASE("LumenTransport.SenderRejectsBadInput") {
    Link l(128, 4096);
    std::vector<uint8_t> big(4097), out(1 << 16);
    uint32_t c = 0;
    CHECK(l.tx.PacketizeFrame(big.data(), 0, 0, 2, 0, out.data(), l.stride, 100, &c) ==
          SendStatus::kEmptyFrame);
    CHECK(l.tx.PacketizeFrame(big.data(), 4097, 0, 2, 0, out.data(), l.stride, 100, &c) ==
          SendStatus::kFrameTooLarge);
    CHECK(l.tx.PacketizeFrame(big.data(), 4096, 0, 2, 0, out.data(), l.stride, 33, &c) ==
          SendStatus::kOutputTooSmall);
    CHECK(l.tx.PacketizeFrame(big.data(), 4096, 0, 2, 0, out.data(), l.stride - 1, 34, &c) ==
          SendStatus::kOutputTooSmall);
    CHECK(l.tx.PacketizeFrame(big.data(), 4096, 0, 500, 0, out.data(), l.stride, 1000, &c) ==
          SendStatus::kTooManyShards);
    FrameSender bad;
    SenderConfig sc;
    sc.shard_bytes = 100;
    CHECK_FALSE(bad.Init(sc, Aead::kXChaCha20Poly1305, Key{}).ok());
    CHECK(bad.PacketizeFrame(big.data(), 10, 0, 0, 0, out.data(), 1000, 1, &c) ==
          SendStatus::kNotInitialized);
  }

  TEST_CASE("LumenTransport.HostileDatagramsCountedNeverCrash") {
    Link l(128, 64 << 10);
    std::mt19937 rng(1);
    const auto frame = RandomFrame(1000, 11);
    const uint32_t n = l.Send(frame, 3, 2);
    ReceivedFrame f;
    FeedbackMessage fb;
    for (int i = 0; i < 20000; ++i) {
      std::vector<uint8_t> d;
      if (i % 2 == 0) {
        d.resize(rng() % 300);
        for (auto& b : d) b = uint8_t(rng());
        if (!d.empty() && i % 4 == 0) d[0] = uint8_t(0x10 | (1 + rng() % 2));
      } else {
        d = l.Copy(rng() % n);
        const int flips = 1 + rng() % 4;
        for (int j = 0; j < flips; ++j) d[rng() % d.size()] ^= uint8_t(1 << (rng() % 8));
        if (rng() % 3 == 0) d.resize(rng() % d.size());
      }
      const RxStatus st = l.rx.Receive(d.data(), d.size(), &f, &fb);
      REQUIRE(st == RxStatus::kDropped);
    }
    CHECK(l.rx.counters().total_dropped() == 20000);
    CHECK(l.rx.counters().shards_accepted == 0);
    CHECK(l.rx.Receive(nullptr, 0, &f, &fb) == RxStatus::kDropped);
    // The genuine datagrams still work afterwards.
    CHECK(Deliver(l, AllBut(n, {}), frame, 3));
  }

  TEST_CASE("LumenTransport.FeedbackAndLossReport") {
    Link l(128, 64 << 10);
    const auto frame = RandomFrame(1000, 12);  // k = 8
    const uint32_t n = l.Send(frame, 0, 4);    // 12 datagrams, packet numbers 0..11
    REQUIRE(Deliver(l, AllBut(n, {2, 3, 4}), frame, 0));
    // Host -> client feedback shares the host's packet counter.
    uint8_t fbd[kMaxFeedbackDatagram];
    const size_t fl = l.tx.sealer().SealFeedback(FecRatioChange{300, 1, 7}, fbd, sizeof(fbd));
    REQUIRE(fl > 0);
    FeedbackMessage fb;
    CHECK(l.rx.Receive(fbd, fl, nullptr, &fb) == RxStatus::kFeedback);
    CHECK(std::get<FecRatioChange>(fb) == FecRatioChange{300, 1, 7});
    CHECK(l.rx.Receive(fbd, fl, nullptr, &fb) == RxStatus::kDropped);  // replay
    const LossReport rep = l.rx.TakeLossReport(100);
    CHECK(rep.packets_received == 10);  // 8 accepted shards + 1 late shard + 1 feedback
    CHECK(rep.packets_lost == 3);
    CHECK(rep.max_burst == 3);
    CHECK(rep.frames_complete == 1);
    CHECK(rep.frames_recovered == 1);
    CHECK(rep.frames_lost == 0);
    CHECK(rep.worst_frame_loss_permille == 272);  // 3 of indices 0..10 seen by completion
    const LossReport next = l.rx.TakeLossReport(100);
    CHECK(next.packets_received == 0);
    CHECK(next.packets_lost == 0);
    CHECK(next.interval_seq == rep.interval_seq + 1);
  }
}

}  // namespace
}  // namespace lumen::transport

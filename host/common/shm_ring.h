// host/common/shm_ring.h — single-producer/single-consumer ring in shared memory.
//
// One ring = one memfd, mapped by exactly one producer process and one consumer process
// (threads work too). Layout (all offsets from the start of the mapping, see
// docs/architecture.md "Rings"):
//
//   [RingHeader, 4 KiB]  magic, layout version, sizes, policy, indices on separate cache
//                        lines, futex words, counters
//   [slot table]         slot_count x slot_stride bytes: SlotHeader (64 B) + descriptor bytes
//   [payload pool]       slot_count x slot_payload_bytes, 4 KiB aligned; slot i owns the
//                        i-th region (raw frames, encoded access units, ...)
//
// Algorithm: every slot carries a 64-bit sequence number ("generation"). For ring position
// p (monotonic, never wraps in practice) in slot p % N:
//   seq == p        slot is free for the producer to write position p
//   seq == p + 1    position p is published (complete) and may be read
//   seq == p + N    position p was consumed (or dropped); slot free for position p + N
// The consumer claims position p by CAS on `tail` (p -> p + 1) and releases by storing
// seq = p + N. A producer with policy kDropOldest that finds the ring full advances `tail`
// itself (same CAS), counts a drop, and frees the slot. Because the consumer only reads a
// slot whose seq says "published", a producer that dies mid-write never exposes a
// half-written slot: the restarted producer re-attaches and rewrites the same position.
// A consumer that dies while holding a slot leaves an intent record (`consumer_hold`) that
// the restarted consumer uses to release it.
//
// Wakeups: futex words in the header (shared, not FUTEX_PRIVATE). Waiters announce
// themselves, so the uncontended publish path is one atomic increment and no syscall.
//
// Thread-safety: one RingProducer and one RingConsumer per ring at a time. The methods
// on the hot path are noexcept and never allocate.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>

#include "absl/status/statusor.h"

namespace lumen::host {

inline constexpr uint64_t kRingMagic = 0x31474E49524D554CULL;  // "LUMRING1" little-endian
inline constexpr uint32_t kRingLayoutVersion = 1;
inline constexpr size_t kCacheLine = 64;
inline constexpr size_t kRingHeaderBytes = 4096;
inline constexpr size_t kSlotHeaderBytes = 64;

// What the producer does when every slot holds unconsumed data.
enum class OverflowPolicy : uint32_t {
  kReject = 1,      // TryBeginWrite returns nothing; the caller decides (wait, IDR, ...).
  kDropOldest = 2,  // The oldest unconsumed entry is dropped and counted. Raw video.
};

// What a ring carries; recorded in the header so a mis-wired attach is caught.
enum class RingKind : uint32_t {
  kGeneric = 0,
  kRawVideo = 1,      // capture -> encode, RawFrameDesc + pixels
  kEncodedVideo = 2,  // encode -> transport, AccessUnitDesc + bitstream
  kControl = 3,       // transport -> encode, ControlMessage, no payload
  kEncodedAudio = 4,  // audio -> transport, AudioPacketDesc + Opus packet
  kTransportStats = 5,  // transport -> supervisor, FrameTiming, no payload
};

struct RingConfig {
  RingKind kind = RingKind::kGeneric;
  OverflowPolicy policy = OverflowPolicy::kReject;
  uint32_t slot_count = 8;           // >= 2
  uint32_t desc_bytes = 128;         // descriptor bytes per slot, <= 4096
  uint64_t slot_payload_bytes = 0;   // payload bytes per slot, may be 0 (control rings)
};

// Shared header. Indices and futex words sit on their own cache lines.
struct alignas(kCacheLine) RingHeader {
  // --- line 0: immutable after creation
  uint64_t magic;
  uint32_t layout_version;
  uint32_t header_bytes;
  uint32_t kind;           // RingKind
  uint32_t policy;         // OverflowPolicy
  uint32_t slot_count;
  uint32_t desc_bytes;
  uint64_t slot_stride;    // bytes per slot-table entry (SlotHeader + desc, 64 B aligned)
  uint64_t slot_payload_bytes;
  uint64_t slots_offset;   // offset of the slot table
  uint64_t payload_offset; // offset of the payload pool
  uint64_t total_bytes;    // size of the whole mapping
  // --- line 1: producer-owned
  alignas(kCacheLine) std::atomic<uint64_t> head;  // next position to write
  std::atomic<uint64_t> producer_epoch;            // +1 on every producer attach
  std::atomic<uint64_t> producer_dropping;         // intent: position + 1 being dropped, 0 none
  // --- line 2: consumer-owned (also CAS'd by a dropping producer)
  alignas(kCacheLine) std::atomic<uint64_t> tail;  // next position to claim
  std::atomic<uint64_t> consumer_epoch;            // +1 on every consumer attach
  std::atomic<uint64_t> consumer_hold;             // intent: position + 1 held, 0 none
  // --- line 3: wakeups (futex words must be 32-bit)
  alignas(kCacheLine) std::atomic<uint32_t> data_futex;   // bumped on every publish
  std::atomic<uint32_t> consumer_waiting;
  alignas(kCacheLine) std::atomic<uint32_t> space_futex;  // bumped on every release/drop
  std::atomic<uint32_t> producer_waiting;
  // --- line 5: counters (monotonic; read by stats)
  alignas(kCacheLine) std::atomic<uint64_t> published;  // entries committed
  std::atomic<uint64_t> consumed;                      // entries released by the consumer
  std::atomic<uint64_t> dropped;                       // entries dropped by kDropOldest
  std::atomic<uint64_t> rejected;                      // TryBeginWrite refusals (kReject)
  std::atomic<uint64_t> skipped;                       // entries skipped by AcquireLatest
  std::atomic<uint64_t> recovered;                     // slots released after a peer crash
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(std::atomic<uint32_t>::is_always_lock_free);
static_assert(sizeof(RingHeader) <= kRingHeaderBytes);
static_assert(std::is_standard_layout_v<RingHeader>);

// Per-slot header at the start of each slot-table entry.
struct alignas(kCacheLine) SlotHeader {
  std::atomic<uint64_t> seq;  // see the algorithm above
  uint32_t desc_len;          // bytes of descriptor written
  uint32_t reserved0;
  uint64_t payload_len;       // bytes of payload written
  uint64_t publish_ts_ns;     // CLOCK_MONOTONIC when committed (hand-off latency)
};
static_assert(sizeof(SlotHeader) == kSlotHeaderBytes);

// A mapped ring. Owns the mapping and an fd (memfd) for it. Movable, not copyable.
class ShmRing {
 public:
  // Creates a memfd (sealed against shrinking), sizes and maps it, writes the header.
  // `debug_name` shows up in /proc/PID/fd. Errors: InvalidArgument for a bad config,
  // Internal for a failed syscall.
  static absl::StatusOr<ShmRing> Create(const RingConfig& config, const char* debug_name);

  // Maps an existing ring from `fd` (the caller keeps its own fd; this dups it) and
  // validates magic, version and sizes against the fd's size. `expected_kind` other than
  // kGeneric must match. Errors: InvalidArgument / FailedPrecondition with a message.
  static absl::StatusOr<ShmRing> Attach(int fd, RingKind expected_kind = RingKind::kGeneric);

  // Bytes a ring with `config` occupies.
  static uint64_t BytesFor(const RingConfig& config);

  ShmRing() = default;
  ShmRing(ShmRing&& other) noexcept;
  ShmRing& operator=(ShmRing&& other) noexcept;
  ShmRing(const ShmRing&) = delete;
  ShmRing& operator=(const ShmRing&) = delete;
  ~ShmRing();

  bool valid() const { return base_ != nullptr; }
  int fd() const { return fd_; }
  RingHeader* header() const { return reinterpret_cast<RingHeader*>(base_); }
  uint32_t slot_count() const { return header()->slot_count; }
  uint32_t desc_bytes() const { return header()->desc_bytes; }
  uint64_t slot_payload_bytes() const { return header()->slot_payload_bytes; }
  RingKind kind() const { return static_cast<RingKind>(header()->kind); }

  SlotHeader* slot(uint64_t position) const {
    return reinterpret_cast<SlotHeader*>(base_ + header()->slots_offset +
                                         (position % header()->slot_count) *
                                             header()->slot_stride);
  }
  uint8_t* desc(uint64_t position) const {
    return reinterpret_cast<uint8_t*>(slot(position)) + kSlotHeaderBytes;
  }
  uint8_t* payload(uint64_t position) const {
    return base_ + header()->payload_offset +
           (position % header()->slot_count) * header()->slot_payload_bytes;
  }

  // Counters snapshot (cheap; relaxed loads).
  struct Stats {
    uint64_t published, consumed, dropped, rejected, skipped, recovered;
    uint64_t depth;  // head - tail
    uint64_t producer_epoch, consumer_epoch;
  };
  Stats GetStats() const;

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  int fd_ = -1;
};

// A slot being written. Fill desc/payload, then RingProducer::Commit.
struct WriteSlot {
  uint64_t position = 0;
  std::span<uint8_t> desc;     // desc_bytes long
  std::span<uint8_t> payload;  // slot_payload_bytes long
};

// A slot being read. Valid until RingConsumer::Release.
struct ReadSlot {
  uint64_t position = 0;
  std::span<const uint8_t> desc;     // desc_len long
  std::span<const uint8_t> payload;  // payload_len long
  uint64_t publish_ts_ns = 0;

  // Copies the descriptor out as T (zero-filled if the writer wrote fewer bytes).
  template <class T>
  T As() const {
    static_assert(std::is_trivially_copyable_v<T>);
    T out{};
    std::memcpy(&out, desc.data(), desc.size() < sizeof(T) ? desc.size() : sizeof(T));
    return out;
  }
};

// The producing side. Attaching bumps producer_epoch and finishes any drop a previous
// producer left half done. At most one live RingProducer per ring.
class RingProducer {
 public:
  explicit RingProducer(ShmRing* ring);

  // Reserves the next slot. Never blocks. With kDropOldest it drops the oldest unconsumed
  // entry when full (counted in `dropped`); it returns nothing only if the consumer is
  // currently reading that very slot (counted in `rejected`). With kReject it returns
  // nothing when full (counted in `rejected`). Call Commit or Abort before the next call.
  [[nodiscard]] std::optional<WriteSlot> TryBeginWrite() noexcept;

  // Like TryBeginWrite but waits up to timeout_ns for space (futex; no spinning).
  [[nodiscard]] std::optional<WriteSlot> BeginWrite(int64_t timeout_ns) noexcept;

  // Publishes the reserved slot with desc_len descriptor bytes and payload_len payload
  // bytes (both clamped to the slot sizes), and wakes a waiting consumer.
  void Commit(const WriteSlot& slot, uint32_t desc_len, uint64_t payload_len) noexcept;

  // Typed convenience: copies `desc` in and commits.
  template <class T>
  void Commit(const WriteSlot& slot, const T& desc, uint64_t payload_len) noexcept {
    static_assert(std::is_trivially_copyable_v<T>);
    std::memcpy(slot.desc.data(), &desc, sizeof(T) < slot.desc.size() ? sizeof(T)
                                                                      : slot.desc.size());
    Commit(slot, static_cast<uint32_t>(sizeof(T)), payload_len);
  }

  // Gives the reservation back unpublished (nothing to do but forget it).
  void Abort(const WriteSlot& slot) noexcept {}

  // One-shot push of a descriptor (+ optional payload copy). Returns false when
  // TryBeginWrite returns nothing or the payload is larger than a slot.
  template <class T>
  [[nodiscard]] bool TryPush(const T& desc, std::span<const uint8_t> payload = {}) noexcept {
    auto slot = TryBeginWrite();
    if (!slot) return false;
    if (payload.size() > slot->payload.size()) return false;
    if (!payload.empty()) std::memcpy(slot->payload.data(), payload.data(), payload.size());
    Commit(*slot, desc, payload.size());
    return true;
  }

  ShmRing* ring() const { return ring_; }

 private:
  ShmRing* ring_;
};

// The consuming side. Attaching bumps consumer_epoch and releases a slot a previous
// consumer died holding. At most one live RingConsumer per ring.
class RingConsumer {
 public:
  explicit RingConsumer(ShmRing* ring);

  // Claims the oldest published entry, or nothing if the ring is empty. Never blocks.
  // Release it before the next Acquire.
  [[nodiscard]] std::optional<ReadSlot> TryAcquire() noexcept;

  // Waits up to timeout_ns (futex) for an entry. Returns nothing on timeout.
  [[nodiscard]] std::optional<ReadSlot> Acquire(int64_t timeout_ns) noexcept;

  // Like Acquire, but skips to the newest published entry, releasing older ones unread
  // (counted in `skipped`). Use for raw frames when latency matters more than every frame.
  [[nodiscard]] std::optional<ReadSlot> AcquireLatest(int64_t timeout_ns) noexcept;

  // Frees the slot for the producer and wakes it if it waits for space.
  void Release(const ReadSlot& slot) noexcept;

  ShmRing* ring() const { return ring_; }

 private:
  ShmRing* ring_;
};

}  // namespace lumen::host

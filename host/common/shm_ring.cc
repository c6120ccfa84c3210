// host/common/shm_ring.cc — see shm_ring.h for the layout and the algorithm.
#include "host/common/shm_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <new>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "host/common/clock.h"

namespace lumen::host {
namespace {

constexpr uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

uint64_t SlotStride(uint32_t desc_bytes) {
  return AlignUp(kSlotHeaderBytes + desc_bytes, kCacheLine);
}

// Shared (not FUTEX_PRIVATE) futex: the word lives in a MAP_SHARED memfd mapping.
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected, int64_t timeout_ns) {
  timespec ts;
  ts.tv_sec = timeout_ns / 1000000000;
  ts.tv_nsec = timeout_ns % 1000000000;
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, expected, &ts, nullptr, 0);
}

void FutexWakeAll(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, INT32_MAX, nullptr, nullptr,
          0);
}

absl::Status Errno(const char* what) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(errno)));
}

}  // namespace

uint64_t ShmRing::BytesFor(const RingConfig& c) {
  const uint64_t slots = AlignUp(uint64_t(c.slot_count) * SlotStride(c.desc_bytes), 4096);
  return kRingHeaderBytes + slots + AlignUp(uint64_t(c.slot_count) * c.slot_payload_bytes, 4096);
}

absl::StatusOr<ShmRing> ShmRing::Create(const RingConfig& c, const char* debug_name) {
  if (c.slot_count < 2 || c.slot_count > (1u << 20)) {
    return absl::InvalidArgumentError("slot_count must be in [2, 2^20]");
  }
  if (c.desc_bytes == 0 || c.desc_bytes > 4096) {
    return absl::InvalidArgumentError("desc_bytes must be in [1, 4096]");
  }
  if (c.slot_payload_bytes % 64 != 0 || c.slot_payload_bytes > (1ull << 32)) {
    return absl::InvalidArgumentError("slot_payload_bytes must be a multiple of 64, <= 4 GiB");
  }
  if (c.policy != OverflowPolicy::kReject && c.policy != OverflowPolicy::kDropOldest) {
    return absl::InvalidArgumentError("unknown overflow policy");
  }
  const uint64_t total = BytesFor(c);
  int fd = memfd_create(debug_name ? debug_name : "lumen-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return Errno("memfd_create");
  if (ftruncate(fd, off_t(total)) != 0) {
    absl::Status s = Errno("ftruncate");
    close(fd);
    return s;
  }
  // The size is fixed for the ring's life: a peer can trust header sizes vs fd size.
  fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
  void* p = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    absl::Status s = Errno("mmap");
    close(fd);
    return s;
  }
  ShmRing ring;
  ring.base_ = static_cast<uint8_t*>(p);
  ring.size_ = total;
  ring.fd_ = fd;
  // Fresh memfd pages are zero; construct the header in place.
  RingHeader* h = new (p) RingHeader();
  h->layout_version = kRingLayoutVersion;
  h->header_bytes = kRingHeaderBytes;
  h->kind = uint32_t(c.kind);
  h->policy = uint32_t(c.policy);
  h->slot_count = c.slot_count;
  h->desc_bytes = c.desc_bytes;
  h->slot_stride = SlotStride(c.desc_bytes);
  h->slot_payload_bytes = c.slot_payload_bytes;
  h->slots_offset = kRingHeaderBytes;
  h->payload_offset =
      kRingHeaderBytes + AlignUp(uint64_t(c.slot_count) * h->slot_stride, 4096);
  h->total_bytes = total;
  for (uint64_t i = 0; i < c.slot_count; ++i) {
    SlotHeader* s = new (ring.slot(i)) SlotHeader();
    s->seq.store(i, std::memory_order_relaxed);
  }
  // Magic last: a peer that sees it sees a complete header.
  std::atomic_thread_fence(std::memory_order_release);
  h->magic = kRingMagic;
  return ring;
}

absl::StatusOr<ShmRing> ShmRing::Attach(int fd, RingKind expected_kind) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Errno("fstat");
  if (uint64_t(st.st_size) < kRingHeaderBytes) {
    return absl::InvalidArgumentError("ring fd is smaller than a ring header");
  }
  const uint64_t size = uint64_t(st.st_size);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return Errno("mmap");
  const RingHeader* h = static_cast<const RingHeader*>(p);
  absl::Status bad;
  if (h->magic != kRingMagic) {
    bad = absl::InvalidArgumentError("ring: bad magic");
  } else if (h->layout_version != kRingLayoutVersion) {
    bad = absl::FailedPreconditionError(
        absl::StrCat("ring: layout version ", h->layout_version, ", expected ",
                     kRingLayoutVersion));
  } else if (h->header_bytes != kRingHeaderBytes || h->total_bytes != size ||
             h->slot_count < 2 || h->slot_stride != SlotStride(h->desc_bytes) ||
             h->slots_offset != kRingHeaderBytes ||
             h->payload_offset < h->slots_offset + uint64_t(h->slot_count) * h->slot_stride ||
             h->payload_offset + uint64_t(h->slot_count) * h->slot_payload_bytes > size) {
    bad = absl::InvalidArgumentError("ring: header sizes do not match the fd");
  } else if (expected_kind != RingKind::kGeneric && h->kind != uint32_t(expected_kind)) {
    bad = absl::FailedPreconditionError(absl::StrCat(
        "ring: kind ", h->kind, ", expected ", uint32_t(expected_kind)));
  }
  if (!bad.ok()) {
    munmap(p, size);
    return bad;
  }
  int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) {
    munmap(p, size);
    return Errno("dup");
  }
  ShmRing ring;
  ring.base_ = static_cast<uint8_t*>(p);
  ring.size_ = size;
  ring.fd_ = own;
  return ring;
}

ShmRing::ShmRing(ShmRing&& o) noexcept
    : base_(std::exchange(o.base_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      fd_(std::exchange(o.fd_, -1)) {}

ShmRing& ShmRing::operator=(ShmRing&& o) noexcept {
  if (this != &o) {
    this->~ShmRing();
    base_ = std::exchange(o.base_, nullptr);
    size_ = std::exchange(o.size_, 0);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

ShmRing::~ShmRing() {
  if (base_) munmap(base_, size_);
  if (fd_ >= 0) close(fd_);
  base_ = nullptr;
  fd_ = -1;
}

ShmRing::Stats ShmRing::GetStats() const {
  const RingHeader* h = header();
  constexpr auto r = std::memory_order_relaxed;
  Stats s;
  s.published = h->published.load(r);
  s.consumed = h->consumed.load(r);
  s.dropped = h->dropped.load(r);
  s.rejected = h->rejected.load(r);
  s.skipped = h->skipped.load(r);
  s.recovered = h->recovered.load(r);
  s.depth = h->head.load(r) - h->tail.load(r);
  s.producer_epoch = h->producer_epoch.load(r);
  s.consumer_epoch = h->consumer_epoch.load(r);
  return s;
}

// ---------------------------------------------------------------- producer

RingProducer::RingProducer(ShmRing* ring) : ring_(ring) {
  RingHeader* h = ring_->header();
  h->producer_epoch.fetch_add(1, std::memory_order_acq_rel);
  // A previous producer may have died between winning the drop CAS on `tail` and freeing
  // the slot. Finish that drop (unless the consumer holds the position).
  const uint64_t dropping = h->producer_dropping.load(std::memory_order_acquire);
  if (dropping != 0) {
    const uint64_t p = dropping - 1;
    SlotHeader* s = ring_->slot(p);
    if (h->tail.load(std::memory_order_acquire) > p &&
        h->consumer_hold.load(std::memory_order_acquire) != dropping &&
        s->seq.load(std::memory_order_acquire) == p + 1) {
      s->seq.store(p + h->slot_count, std::memory_order_release);
      h->recovered.fetch_add(1, std::memory_order_relaxed);
    }
    h->producer_dropping.store(0, std::memory_order_release);
  }
}

static std::optional<WriteSlot> TryBeginWriteImpl(ShmRing* ring, bool count_reject) noexcept {
  RingHeader* h = ring->header();
  const uint64_t n = h->slot_count;
  const uint64_t pos = h->head.load(std::memory_order_relaxed);
  SlotHeader* s = ring->slot(pos);
  auto make = [&] {
    WriteSlot w;
    w.position = pos;
    w.desc = std::span<uint8_t>(ring->desc(pos), h->desc_bytes);
    w.payload = std::span<uint8_t>(ring->payload(pos), h->slot_payload_bytes);
    return w;
  };
  if (s->seq.load(std::memory_order_acquire) == pos) return make();
  if (h->policy == uint32_t(OverflowPolicy::kDropOldest) && pos >= n) {
    uint64_t oldest = pos - n;
    if (h->tail.load(std::memory_order_acquire) == oldest &&
        s->seq.load(std::memory_order_acquire) == oldest + 1) {
      h->producer_dropping.store(oldest + 1, std::memory_order_release);
      if (h->tail.compare_exchange_strong(oldest, oldest + 1, std::memory_order_acq_rel)) {
        s->seq.store(pos, std::memory_order_release);
        h->producer_dropping.store(0, std::memory_order_release);
        h->dropped.fetch_add(1, std::memory_order_relaxed);
        return make();
      }
      h->producer_dropping.store(0, std::memory_order_release);
    }
  }
  if (count_reject) h->rejected.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

std::optional<WriteSlot> RingProducer::TryBeginWrite() noexcept {
  return TryBeginWriteImpl(ring_, true);
}

std::optional<WriteSlot> RingProducer::BeginWrite(int64_t timeout_ns) noexcept {
  RingHeader* h = ring_->header();
  if (auto w = TryBeginWriteImpl(ring_, false)) return w;
  const uint64_t deadline = MonotonicNs() + uint64_t(timeout_ns > 0 ? timeout_ns : 0);
  for (;;) {
    const uint32_t v = h->space_futex.load(std::memory_order_acquire);
    h->producer_waiting.store(1, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (auto w = TryBeginWriteImpl(ring_, false)) {
      h->producer_waiting.store(0, std::memory_order_relaxed);
      return w;
    }
    const uint64_t now = MonotonicNs();
    if (now >= deadline) {
      h->producer_waiting.store(0, std::memory_order_relaxed);
      h->rejected.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    FutexWait(&h->space_futex, v, int64_t(deadline - now));
  }
}

void RingProducer::Commit(const WriteSlot& w, uint32_t desc_len, uint64_t payload_len) noexcept {
  RingHeader* h = ring_->header();
  SlotHeader* s = ring_->slot(w.position);
  s->desc_len = desc_len < h->desc_bytes ? desc_len : h->desc_bytes;
  s->payload_len = payload_len < h->slot_payload_bytes ? payload_len : h->slot_payload_bytes;
  s->publish_ts_ns = MonotonicNs();
  s->seq.store(w.position + 1, std::memory_order_release);
  h->head.store(w.position + 1, std::memory_order_release);
  h->published.fetch_add(1, std::memory_order_relaxed);
  h->data_futex.fetch_add(1, std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (h->consumer_waiting.load(std::memory_order_seq_cst)) FutexWakeAll(&h->data_futex);
}

// ---------------------------------------------------------------- consumer

RingConsumer::RingConsumer(ShmRing* ring) : ring_(ring) {
  RingHeader* h = ring_->header();
  h->consumer_epoch.fetch_add(1, std::memory_order_acq_rel);
  // A previous consumer may have died holding a slot: give it back.
  const uint64_t hold = h->consumer_hold.load(std::memory_order_acquire);
  if (hold != 0) {
    const uint64_t p = hold - 1;
    SlotHeader* s = ring_->slot(p);
    if (h->tail.load(std::memory_order_acquire) > p &&
        s->seq.load(std::memory_order_acquire) == p + 1) {
      s->seq.store(p + h->slot_count, std::memory_order_release);
      h->recovered.fetch_add(1, std::memory_order_relaxed);
      h->space_futex.fetch_add(1, std::memory_order_seq_cst);
      FutexWakeAll(&h->space_futex);
    }
    h->consumer_hold.store(0, std::memory_order_release);
  }
  h->consumer_waiting.store(0, std::memory_order_relaxed);
}

std::optional<ReadSlot> RingConsumer::TryAcquire() noexcept {
  RingHeader* h = ring_->header();
  for (;;) {
    uint64_t pos = h->tail.load(std::memory_order_acquire);
    SlotHeader* s = ring_->slot(pos);
    if (s->seq.load(std::memory_order_acquire) != pos + 1) return std::nullopt;
    h->consumer_hold.store(pos + 1, std::memory_order_release);
    if (!h->tail.compare_exchange_strong(pos, pos + 1, std::memory_order_acq_rel)) {
      // The producer dropped this entry under us; try the next one.
      h->consumer_hold.store(0, std::memory_order_release);
      continue;
    }
    ReadSlot r;
    r.position = pos;
    r.desc = std::span<const uint8_t>(ring_->desc(pos), s->desc_len);
    r.payload = std::span<const uint8_t>(ring_->payload(pos), s->payload_len);
    r.publish_ts_ns = s->publish_ts_ns;
    return r;
  }
}

std::optional<ReadSlot> RingConsumer::Acquire(int64_t timeout_ns) noexcept {
  RingHeader* h = ring_->header();
  if (auto r = TryAcquire()) return r;
  const uint64_t deadline = MonotonicNs() + uint64_t(timeout_ns > 0 ? timeout_ns : 0);
  for (;;) {
    const uint32_t v = h->data_futex.load(std::memory_order_acquire);
    h->consumer_waiting.store(1, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (auto r = TryAcquire()) {
      h->consumer_waiting.store(0, std::memory_order_relaxed);
      return r;
    }
    const uint64_t now = MonotonicNs();
    if (now >= deadline) {
      h->consumer_waiting.store(0, std::memory_order_relaxed);
      return std::nullopt;
    }
    FutexWait(&h->data_futex, v, int64_t(deadline - now));
  }
}

std::optional<ReadSlot> RingConsumer::AcquireLatest(int64_t timeout_ns) noexcept {
  auto r = Acquire(timeout_ns);
  if (!r) return r;
  RingHeader* h = ring_->header();
  for (;;) {
    const uint64_t next = h->tail.load(std::memory_order_acquire);
    if (ring_->slot(next)->seq.load(std::memory_order_acquire) != next + 1) return r;
    Release(*r);
    h->skipped.fetch_add(1, std::memory_order_relaxed);
    auto n = TryAcquire();
    if (!n) return std::nullopt;  // the producer dropped everything newer: none left
    r = n;
  }
}

void RingConsumer::Release(const ReadSlot& r) noexcept {
  RingHeader* h = ring_->header();
  ring_->slot(r.position)->seq.store(r.position + h->slot_count, std::memory_order_release);
  h->consumer_hold.store(0, std::memory_order_release);
  h->consumed.fetch_add(1, std::memory_order_relaxed);
  h->space_futex.fetch_add(1, std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (h->producer_waiting.load(std::memory_order_seq_cst)) FutexWakeAll(&h->space_futex);
}

}  // namespace lumen::host

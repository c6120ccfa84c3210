// core/transport/buffer.h — a 64-byte aligned, zero-initialised byte buffer owned by the
// transport objects (allocated once, at Init, never on per-packet paths).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace lumen::transport {

class AlignedBuffer {
 public:
  static constexpr size_t kAlign = 64;

  // (Re)allocates `bytes` (rounded up to 64) zeroed bytes. Returns false on failure.
  bool Allocate(size_t bytes) {
    const size_t n = (bytes + kAlign - 1) / kAlign * kAlign;
    void* p = n ? std::aligned_alloc(kAlign, n) : nullptr;
    if (n && p == nullptr) return false;
    if (p) std::memset(p, 0, n);
    data_.reset(static_cast<uint8_t*>(p));
    size_ = n;
    return true;
  }
  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> data_;
  size_t size_ = 0;
};

}  // namespace lumen::transport

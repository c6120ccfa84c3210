// core/session/action_list.h — a small fixed-capacity list of actions returned by the
// session state machines (no allocation per event).
#pragma once

#include <array>
#include <cstddef>

namespace lumen::session {

template <class A, size_t N = 8>
class ActionList {
 public:
  // Appends a; the machines never emit more than N per event (checked in tests).
  void Add(A a) {
    if (size_ < N) items_[size_++] = a;
  }
  bool Contains(A a) const {
    for (size_t i = 0; i < size_; ++i) {
      if (items_[i] == a) return true;
    }
    return false;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const A* begin() const { return items_.data(); }
  const A* end() const { return items_.data() + size_; }
  A operator[](size_t i) const { return items_[i]; }

 private:
  std::array<A, N> items_{};
  size_t size_ = 0;
};

}  // namespace lumen::session

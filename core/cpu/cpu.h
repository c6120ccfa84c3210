// core/cpu/cpu.h — which x86 SIMD instruction sets this CPU *and OS* can run.
//
// Read once (CPUID + XGETBV, so an OS that does not save AVX/AVX-512 state is
// honoured) and cached in a function-local static. Kernels never test flags
// themselves: each codec resolves its kernel table once from these bits.
// Tests can force a narrower ISA with lumen::cpu::ForceMaxIsa().
#pragma once

#include <atomic>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace lumen::cpu {

// Ordered from weakest to strongest; each implies the ones before it here.
enum class Isa : int { kScalar = 0, kSsse3 = 1, kAvx2 = 2, kAvx512 = 3, kGfni = 4 };

inline const char* IsaName(Isa isa) noexcept {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kSsse3: return "ssse3";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
    case Isa::kGfni: return "avx512+gfni";
  }
  return "?";
}

struct Features {
  bool ssse3 = false;
  bool avx2 = false;
  bool avx512bw = false;  // with F and VL, and OS-enabled ZMM state
  bool gfni = false;      // GFNI usable with 512-bit vectors
};

namespace detail {
inline Features Detect() noexcept {
  Features f;
#if defined(__x86_64__) || defined(__i386__)
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  f.ssse3 = (c >> 9) & 1;
  const bool osxsave = (c >> 27) & 1;
  const bool avx = (c >> 28) & 1;
  uint64_t xcr0 = 0;
  if (osxsave) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (uint64_t(hi) << 32) | lo;
  }
  const bool ymm_ok = (xcr0 & 0x6) == 0x6;
  const bool zmm_ok = (xcr0 & 0xE6) == 0xE6;
  if (__get_cpuid_max(0, nullptr) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    const bool avx2 = (b >> 5) & 1;
    const bool bmi2 = (b >> 8) & 1;
    const bool avx512f = (b >> 16) & 1;
    const bool avx512bw = (b >> 30) & 1;
    const bool avx512vl = (b >> 31) & 1;
    const bool gfni = (c >> 8) & 1;
    f.avx2 = avx && avx2 && bmi2 && ymm_ok;
    f.avx512bw = f.avx2 && avx512f && avx512bw && avx512vl && zmm_ok;
    f.gfni = f.avx512bw && gfni;
  }
#endif
  return f;
}

inline std::atomic<int>& ForcedMax() noexcept {
  static std::atomic<int> forced{-1};
  return forced;
}
}  // namespace detail

// What the hardware and OS support (cached).
inline const Features& HostFeatures() noexcept {
  static const Features f = detail::Detect();
  return f;
}

// Strongest ISA the host supports.
inline Isa HostBestIsa() noexcept {
  const Features& f = HostFeatures();
  if (f.gfni) return Isa::kGfni;
  if (f.avx512bw) return Isa::kAvx512;
  if (f.avx2) return Isa::kAvx2;
  if (f.ssse3) return Isa::kSsse3;
  return Isa::kScalar;
}

inline bool HostSupports(Isa isa) noexcept {
  return static_cast<int>(isa) <= static_cast<int>(HostBestIsa());
}

// Test/benchmark hook: cap the ISA used by codecs created after this call.
// Pass -1 (or call ResetForcedIsa) to return to the host's best.
inline void ForceMaxIsa(Isa isa) noexcept { detail::ForcedMax().store(static_cast<int>(isa)); }
inline void ResetForcedIsa() noexcept { detail::ForcedMax().store(-1); }

// The ISA a codec should use now: the host's best, capped by ForceMaxIsa and by
// the LUMEN_MAX_ISA environment variable is NOT read here (core does no I/O);
// host binaries translate their flags into ForceMaxIsa.
inline Isa ActiveIsa() noexcept {
  const int best = static_cast<int>(HostBestIsa());
  const int forced = detail::ForcedMax().load(std::memory_order_relaxed);
  return static_cast<Isa>(forced >= 0 && forced < best ? forced : best);
}

}  // namespace lumen::cpu

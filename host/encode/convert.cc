// host/encode/convert.cc — see convert.h. BT.709 limited range, 8-bit fixed point:
//   Y = 16  + ( 47 R + 157 G +  16 B) / 256
//   U = 128 + (-26 R -  86 G + 112 B) / 256
//   V = 128 + (112 R - 102 G -  10 B) / 256
#include "host/encode/convert.h"

#include <linux/futex.h>
#include <sched.h>
#include <simde/x86/sse2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <thread>

#include "core/cpu/cpu.h"
#include "host/common/clock.h"
#include "host/encode/convert_simd.h"

namespace lumen::encode {
namespace {

// SSE2 (x86-64 baseline; simde elsewhere) kernels for 16 pixels of two rows: same
// integer formulas as the scalar loop below, so results are bit-identical.
template <int kR, int kB>
inline simde__m128i LumaCoefs() {
  // Word lanes in pixel byte order (B G R X for BGRx).
  const short c0 = kB == 0 ? 16 : 47, c2 = kB == 0 ? 47 : 16;
  return simde_mm_setr_epi16(c0, 157, c2, 0, c0, 157, c2, 0);
}

// Y for 4 pixels (16 bytes) as 4 x int32.
inline simde__m128i Luma4(simde__m128i px, simde__m128i coef) {
  const simde__m128i zero = simde_mm_setzero_si128();
  const simde__m128i a = simde_mm_madd_epi16(simde_mm_unpacklo_epi8(px, zero), coef);
  const simde__m128i b = simde_mm_madd_epi16(simde_mm_unpackhi_epi8(px, zero), coef);
  // a = [p0 lo, p0 hi, p1 lo, p1 hi]: add the halves of each pixel.
  const simde__m128i sa = simde_mm_add_epi32(simde_mm_shuffle_epi32(a, SIMDE_MM_SHUFFLE(2, 0, 2, 0)),
                                             simde_mm_shuffle_epi32(a, SIMDE_MM_SHUFFLE(3, 1, 3, 1)));
  const simde__m128i sb = simde_mm_add_epi32(simde_mm_shuffle_epi32(b, SIMDE_MM_SHUFFLE(2, 0, 2, 0)),
                                             simde_mm_shuffle_epi32(b, SIMDE_MM_SHUFFLE(3, 1, 3, 1)));
  const simde__m128i y = simde_mm_unpacklo_epi64(sa, sb);
  return simde_mm_srai_epi32(simde_mm_add_epi32(y, simde_mm_set1_epi32(128 + (16 << 8))), 8);
}

// 16 luma bytes from 16 pixels.
inline void Luma16(const uint8_t* s, uint8_t* y, simde__m128i coef) {
  const simde__m128i y0 = Luma4(simde_mm_loadu_si128(reinterpret_cast<const simde__m128i*>(s)), coef);
  const simde__m128i y1 = Luma4(simde_mm_loadu_si128(reinterpret_cast<const simde__m128i*>(s + 16)), coef);
  const simde__m128i y2 = Luma4(simde_mm_loadu_si128(reinterpret_cast<const simde__m128i*>(s + 32)), coef);
  const simde__m128i y3 = Luma4(simde_mm_loadu_si128(reinterpret_cast<const simde__m128i*>(s + 48)), coef);
  const simde__m128i w = simde_mm_packus_epi16(simde_mm_packs_epi32(y0, y1), simde_mm_packs_epi32(y2, y3));
  simde_mm_storeu_si128(reinterpret_cast<simde__m128i*>(y), w);
}

// U and V (as int32 lanes [U0, V0, U1, V1]) for the two 2x2 blocks in 4 pixels x 2 rows.
inline simde__m128i Chroma2(simde__m128i r0, simde__m128i r1, simde__m128i coef) {
  const simde__m128i zero = simde_mm_setzero_si128();
  const simde__m128i lo = simde_mm_add_epi16(simde_mm_unpacklo_epi8(r0, zero), simde_mm_unpacklo_epi8(r1, zero));
  const simde__m128i hi = simde_mm_add_epi16(simde_mm_unpackhi_epi8(r0, zero), simde_mm_unpackhi_epi8(r1, zero));
  // Sum the two columns of each block: words 0..3 = block sums (B G R X).
  const simde__m128i b0 = simde_mm_add_epi16(lo, simde_mm_srli_si128(lo, 8));
  const simde__m128i b1 = simde_mm_add_epi16(hi, simde_mm_srli_si128(hi, 8));
  // [b0 b0] and [b1 b1] against [U coefs | V coefs].
  const simde__m128i m0 = simde_mm_madd_epi16(simde_mm_unpacklo_epi64(b0, b0), coef);
  const simde__m128i m1 = simde_mm_madd_epi16(simde_mm_unpacklo_epi64(b1, b1), coef);
  // m = [u_a, u_b, v_a, v_b] -> [U, V] per block.
  const simde__m128i s0 = simde_mm_add_epi32(simde_mm_shuffle_epi32(m0, SIMDE_MM_SHUFFLE(3, 1, 3, 1)),
                                             simde_mm_shuffle_epi32(m0, SIMDE_MM_SHUFFLE(2, 0, 2, 0)));
  const simde__m128i s1 = simde_mm_add_epi32(simde_mm_shuffle_epi32(m1, SIMDE_MM_SHUFFLE(3, 1, 3, 1)),
                                             simde_mm_shuffle_epi32(m1, SIMDE_MM_SHUFFLE(2, 0, 2, 0)));
  // s0 = [U0, V0, U0, V0]
  const simde__m128i uv = simde_mm_unpacklo_epi64(s0, s1);  // [U0, V0, U1, V1]
  return simde_mm_srai_epi32(simde_mm_add_epi32(uv, simde_mm_set1_epi32(512 + (128 << 10))), 10);
}

template <int kR, int kB>
inline simde__m128i ChromaCoefs() {
  // U = -26 R - 86 G + 112 B ; V = 112 R - 102 G - 10 B, in pixel byte order.
  const short ub = 112, ug = -86, ur = -26, vb = -10, vg = -102, vr = 112;
  if (kB == 0) return simde_mm_setr_epi16(ub, ug, ur, 0, vb, vg, vr, 0);
  return simde_mm_setr_epi16(ur, ug, ub, 0, vr, vg, vb, 0);
}

// Converts the first `n` (multiple of 16) pixels of two rows. Writes U/V at uv_step.
template <int kR, int kB>
inline void Rows16(const uint8_t* s0, const uint8_t* s1, int n, uint8_t* y0, uint8_t* y1,
                   uint8_t* u, uint8_t* v, int uv_step) {
  const simde__m128i lc = LumaCoefs<kR, kB>();
  const simde__m128i cc = ChromaCoefs<kR, kB>();
  for (int x = 0; x < n; x += 16) {
    Luma16(s0 + 4 * x, y0 + x, lc);
    Luma16(s1 + 4 * x, y1 + x, lc);
    alignas(16) int32_t uv[16];
    for (int q = 0; q < 4; ++q) {
      const simde__m128i a = simde_mm_loadu_si128(reinterpret_cast<const simde__m128i*>(s0 + 4 * x + 16 * q));
      const simde__m128i b = simde_mm_loadu_si128(reinterpret_cast<const simde__m128i*>(s1 + 4 * x + 16 * q));
      simde_mm_store_si128(reinterpret_cast<simde__m128i*>(uv + 4 * q), Chroma2(a, b, cc));
    }
    const int c = x / 2;
    for (int k = 0; k < 8; ++k) {
      u[(c + k) * uv_step] = uint8_t(uv[2 * k]);
      v[(c + k) * uv_step] = uint8_t(uv[2 * k + 1]);
    }
  }
}

template <int kR, int kB>
inline void ConvertRows(const uint8_t* s0, const uint8_t* s1, int width, uint8_t* y0,
                        uint8_t* y1, uint8_t* u, uint8_t* v, int uv_step, bool avx2,
                        ptrdiff_t ahead) noexcept {
  int done = 0;
  if (avx2) {  // 32-pixel groups; SSE2 and scalar finish the row
    done = width & ~31;
    detail::RowsAvx2(s0, s1, done, y0, y1, u, v, kB == 0, uv_step == 2, ahead);
  }
  const int simd = width & ~15;
  const int ch = done / 2 * uv_step;
  Rows16<kR, kB>(s0 + 4 * done, s1 + 4 * done, simd - done, y0 + done, y1 + done, u + ch, v + ch,
                 uv_step);
  for (int x = simd; x < width; ++x) {
    const int r0 = s0[4 * x + kR], g0 = s0[4 * x + 1], b0 = s0[4 * x + kB];
    const int r1 = s1[4 * x + kR], g1 = s1[4 * x + 1], b1 = s1[4 * x + kB];
    y0[x] = uint8_t((47 * r0 + 157 * g0 + 16 * b0 + 128 + (16 << 8)) >> 8);
    y1[x] = uint8_t((47 * r1 + 157 * g1 + 16 * b1 + 128 + (16 << 8)) >> 8);
  }
  const int cw = width / 2;
  for (int c = simd / 2; c < cw; ++c) {
    const uint8_t* a = s0 + 8 * c;
    const uint8_t* b = s1 + 8 * c;
    const int r = a[kR] + a[4 + kR] + b[kR] + b[4 + kR];
    const int g = a[1] + a[5] + b[1] + b[5];
    const int bl = a[kB] + a[4 + kB] + b[kB] + b[4 + kB];
    u[c * uv_step] = uint8_t((-26 * r - 86 * g + 112 * bl + 512 + (128 << 10)) >> 10);
    v[c * uv_step] = uint8_t((112 * r - 102 * g - 10 * bl + 512 + (128 << 10)) >> 10);
  }
  if (width & 1) {  // last column: its 1x2 pair stands for a 2x2 block
    const uint8_t* a = s0 + 4 * (width - 1);
    const uint8_t* b = s1 + 4 * (width - 1);
    const int r = 2 * (a[kR] + b[kR]), g = 2 * (a[1] + b[1]), bl = 2 * (a[kB] + b[kB]);
    u[cw * uv_step] = uint8_t((-26 * r - 86 * g + 112 * bl + 512 + (128 << 10)) >> 10);
    v[cw * uv_step] = uint8_t((112 * r - 102 * g - 10 * bl + 512 + (128 << 10)) >> 10);
  }
}

// One conversion call: what every row pair needs.
struct Job {
  const uint8_t* src;
  int stride, width, height;
  uint8_t *y, *u, *v;
  int y_stride, u_stride, v_stride, uv_step;
  bool bgrx, avx2;
};

template <int kR, int kB>
void Rows(const Job& j, int row_begin, int row_end) noexcept {
  for (int row = row_begin; row < row_end; row += 2) {
    const bool last_single = row + 1 >= j.height;
    const uint8_t* s0 = j.src + size_t(row) * size_t(j.stride);
    const uint8_t* s1 = last_single ? s0 : s0 + j.stride;
    uint8_t* y0 = j.y + size_t(row) * size_t(j.y_stride);
    // For an odd last row, write its luma twice into the same row (harmless).
    uint8_t* y1 = last_single ? y0 : y0 + j.y_stride;
    const size_t crow = size_t(row / 2);
    // Prefetch the next row pair while converting this one (not past the last row).
    const ptrdiff_t ahead = row + 3 < j.height ? 2 * ptrdiff_t(j.stride) : 0;
    ConvertRows<kR, kB>(s0, s1, j.width, y0, y1, j.u + crow * size_t(j.u_stride),
                        j.v + crow * size_t(j.v_stride), j.uv_step, j.avx2, ahead);
  }
}

// Rows [row_begin, row_end) of a job; row_begin is even.
void RunRows(const Job& j, int row_begin, int row_end) noexcept {
  if (j.bgrx) {
    Rows<2, 0>(j, row_begin, std::min(row_end, j.height));
  } else {
    Rows<0, 2>(j, row_begin, std::min(row_end, j.height));
  }
}

// Large frames are split into stripes of kStripeRows rows that the calling thread and one
// helper thread (started on first use) claim from a shared counter. The caller never waits
// for the helper to wake up: if it is slow, the caller converts every stripe itself, and it
// only waits for a stripe the helper has already claimed. Stripes are disjoint, so the
// output is the same as the serial loop's.
//
// Waking the helper when the frame is there is too slow to help: a thread parked on a
// futex on an idle vCPU took 0.1-0.6 ms to run here (the VM halts idle vCPUs), about as long
// as the whole 1080p conversion, so in `lumen demo` the caller did nearly every stripe alone.
// A source that knows a frame is coming (the synthetic source before it draws) calls
// PrepareConversion(): the helper is woken then and spins until the job arrives (at most
// kPrepareSpinNs), so it is running when the stripes are handed out. Predicting arrivals
// from their timing instead was tried and dropped: here they wander by 2-4 ms frame to frame
// (drawing time, the source's own late wake-ups), so the spin windows cost ~1 ms of a core
// per frame and still missed a third of the frames.
constexpr int kStripeRows = 16;
constexpr int64_t kParallelMinPixels = 640 * 360;
constexpr uint64_t kPrepareSpinNs = 3'000'000;
std::atomic<bool> g_parallel{true};

// Raw futex on a process-private word for the helper's wake-ups (jobs and Prepare()).
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) noexcept {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT | FUTEX_PRIVATE_FLAG, expected,
          nullptr, nullptr, 0);
}

void FutexWakeOne(std::atomic<uint32_t>* word) noexcept {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, nullptr,
          nullptr, 0);
}

class Helper {
 public:
  static Helper* Get() {
    static Helper* const h = std::thread::hardware_concurrency() >= 2 ? new Helper : nullptr;
    return h;
  }

  // Wakes the helper now to spin for a job expected soon (see above).
  void Prepare() noexcept {
    caller_cpu_.store(sched_getcpu(), std::memory_order_relaxed);
    prepared_until_ns_.store(host::MonotonicNs() + kPrepareSpinNs, std::memory_order_relaxed);
    prepared_gen_.store(next_.load(std::memory_order_relaxed) >> 40, std::memory_order_relaxed);
    prepared_.fetch_add(1, std::memory_order_release);
    wake_.fetch_add(1, std::memory_order_release);
    FutexWakeOne(&wake_);
  }

  // Converts the whole job with the helper's help. Returns false (nothing done) if another
  // thread is using the helper right now.
  bool Run(const Job& j) noexcept {
    std::unique_lock<std::mutex> lock(busy_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    const uint64_t stripes = uint64_t(j.height + kStripeRows - 1) / kStripeRows;
    job_ = j;
    done_.store(0, std::memory_order_relaxed);
    ++gen_;
    // next_ = generation (24 bits) | stripe count (20 bits) | next stripe (20 bits): a
    // claim is one CAS, and a helper holding a stale value cannot claim a new job's stripe.
    next_.store((uint64_t(gen_ & 0xFFFFFF) << 40) | (stripes << 20), std::memory_order_release);
    wake_.fetch_add(1, std::memory_order_release);
    FutexWakeOne(&wake_);
    Work();
    // Wait only for stripes the helper claimed and is still converting.
    for (int spin = 0;; ++spin) {
      const uint32_t d = done_.load(std::memory_order_acquire);
      if (d == stripes) break;
      if (spin < 4096) {
        simde_mm_pause();
      } else {
        done_.wait(d, std::memory_order_acquire);
      }
    }
    return true;
  }

 private:
  Helper() {
    std::thread([this] { Loop(); }).detach();
  }

  // Claims and converts stripes until none are left. Returns whether it converted any.
  bool Work() noexcept {
    bool any = false;
    uint64_t v = next_.load(std::memory_order_acquire);
    for (;;) {
      const uint64_t idx = v & 0xFFFFF, count = (v >> 20) & 0xFFFFF;
      if (idx >= count) return any;
      if (!next_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        continue;  // v was reloaded
      }
      // The job cannot change while this stripe is unfinished (Run waits for it).
      RunRows(job_, int(idx) * kStripeRows, int(idx + 1) * kStripeRows);
      any = true;
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == count) done_.notify_one();
      v = next_.load(std::memory_order_acquire);
    }
  }

  void Loop() noexcept {
    uint32_t seen = wake_.load(std::memory_order_acquire);
    for (;;) {
      while (wake_.load(std::memory_order_acquire) == seen) FutexWait(&wake_, seen);
      seen = wake_.load(std::memory_order_acquire);
      // Woken by a job or by Prepare(): convert what is there; after a Prepare(), spin until
      // the job is published (or the spin's time is up). Each Prepare() buys one spin, so a
      // job the caller finished alone does not start another.
      if (Work()) continue;
      const uint32_t prepared = prepared_.load(std::memory_order_acquire);
      if (prepared == spun_for_) continue;
      spun_for_ = prepared;
      // Woken too late: the job it was prepared for has started (and been done) already.
      if ((next_.load(std::memory_order_acquire) >> 40) !=
          prepared_gen_.load(std::memory_order_relaxed)) {
        continue;
      }
      MoveOffCpu(caller_cpu_.load(std::memory_order_relaxed));
      const uint64_t until = prepared_until_ns_.load(std::memory_order_relaxed);
      for (uint32_t i = 0; wake_.load(std::memory_order_acquire) == seen; ++i) {
        simde_mm_pause();
        if ((i & 63) == 63 && host::MonotonicNs() > until) break;
      }
    }
  }

  // Spinning on the caller's CPU would only slow the caller down, and the scheduler does
  // wake the helper there at times (the other CPU busy for a moment): the helper then
  // narrows its affinity to the other allowed CPUs, which moves it at once, and widens it
  // again the next time it wakes elsewhere.
  void MoveOffCpu(int caller_cpu) noexcept {
    if (caller_cpu < 0 || sched_getcpu() != caller_cpu) {
      if (narrowed_) narrowed_ = sched_setaffinity(0, sizeof(allowed_), &allowed_) != 0;
      return;
    }
    if (!narrowed_ && sched_getaffinity(0, sizeof(allowed_), &allowed_) != 0) return;
    cpu_set_t others = allowed_;
    CPU_CLR(caller_cpu, &others);
    if (CPU_COUNT(&others) > 0 && sched_setaffinity(0, sizeof(others), &others) == 0) {
      narrowed_ = true;
    }
  }

  cpu_set_t allowed_{};                    // helper thread only: affinity before narrowing
  bool narrowed_ = false;                  // helper thread only
  uint32_t spun_for_ = 0;                  // helper thread only: the Prepare() it last spun for
  std::atomic<uint32_t> prepared_{0};      // Prepare() calls
  std::atomic<uint64_t> prepared_gen_{0};  // the last job's generation at the last Prepare()
  std::atomic<int> caller_cpu_{-1};        // where Prepare() was called
  std::atomic<uint64_t> prepared_until_ns_{0};  // how long a prepared helper spins
  std::mutex busy_;
  uint32_t gen_ = 0;                 // guarded by busy_
  Job job_{};                        // written under busy_ before next_ is published
  std::atomic<uint64_t> next_{0};
  std::atomic<uint32_t> done_{0};
  std::atomic<uint32_t> wake_{0};
};

void Convert(const Job& j) noexcept {
  if (g_parallel.load(std::memory_order_relaxed) &&
      int64_t(j.width) * j.height >= kParallelMinPixels) {
    if (Helper* h = Helper::Get(); h != nullptr && h->Run(j)) return;
  }
  RunRows(j, 0, j.height);
}

Job MakeJob(const uint8_t* src, int stride, int width, int height, RgbOrder order,
            const YuvPlanes& d, bool nv12) noexcept {
  return Job{src,
             stride,
             width,
             height,
             d.y,
             d.u,
             nv12 ? d.u + 1 : d.v,
             d.y_stride,
             d.u_stride,
             nv12 ? d.u_stride : d.v_stride,
             nv12 ? 2 : 1,
             order == RgbOrder::kBgrx,
             cpu::ActiveIsa() >= cpu::Isa::kAvx2};
}

}  // namespace

void RgbToI420(const uint8_t* src, int stride, int width, int height, RgbOrder order,
               const YuvPlanes& d) noexcept {
  Convert(MakeJob(src, stride, width, height, order, d, false));
}

void RgbToNv12(const uint8_t* src, int stride, int width, int height, RgbOrder order,
               const YuvPlanes& d) noexcept {
  Convert(MakeJob(src, stride, width, height, order, d, true));
}

void PrepareConversion(int width, int height) noexcept {
  if (!g_parallel.load(std::memory_order_relaxed) || int64_t(width) * height < kParallelMinPixels) {
    return;  // Convert() would not hand this frame to the helper
  }
  if (Helper* h = Helper::Get(); h != nullptr) h->Prepare();
}

void SetParallelConversion(bool on) noexcept { g_parallel.store(on, std::memory_order_relaxed); }

}  // namespace lumen::encode

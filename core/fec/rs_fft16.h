// core/fec/rs_fft16.h — systematic Reed-Solomon erasure code over GF(2^16) with
// O(n log n) additive-FFT encode and decode: up to 65535 shards per block.
//
// Algorithm (after Leopard-RS by C. Taylor, with our own code):
//  {1} S.-J. Lin, W.-H. Chung, Y. S. Han, "Novel polynomial basis and its
//      application to Reed-Solomon erasure codes", FOCS 2014.
//  {2} S.-J. Lin, T. Y. Al-Naffouri, Y. S. Han, W.-H. Chung, "Novel polynomial
//      basis with fast Fourier transform and its application to Reed-Solomon
//      erasure codes", IEEE Trans. Inf. Theory 62(11), 2016.
//  {3} catid/leopard (LeopardFF16.cpp): Cantor basis, FFT skew factors, and the
//      error locator evaluated with fast Walsh-Hadamard transforms of logs.
// Field: GF(2^16)/0x1002D in Cantor-basis coordinates (core/gf/gf65536.h).
// FFT positions are field elements 0..65535.
//
// Layout ("narrow" mode, whenever mpow + k <= 65536 with mpow = NextPow2(m)):
//   positions [0, m)            parity shards      (positions [m, mpow) unused)
//   positions [mpow, mpow + k)  data shards        (the rest up to n: zero)
//   n = NextPow2(mpow + k)
// The code is {evaluations of polynomials of degree < n - mpow in the novel
// basis}. Encode: work = sum over data chunks j of IFFT_mpow(chunk j at
// positions mpow*(j+1)..); parity = FFT_mpow(work)[0, m).
// Decode ({1}, {3}; erasures E, |E| <= mpow incl. the unused [m, mpow)):
//   locator logs L(i) = sum_{e in E} log(x_i + x_e) by two n-point
//   Walsh-Hadamard transforms (dyadic convolution; cost O(n log n) at the size
//   the block needs, never 65536 points for a small block);
//   work = received * exp(L); IFFT_n; formal derivative (XOR only in the
//   Cantor basis); FFT_n pruned to the erased data positions (groups with no
//   such output are skipped, a sparse top group runs only the butterflies its
//   outputs need, and the derivative is formed only where that FFT reads;
//   when every revealed position lies in one eighth of the transform, the
//   derivative, the FFT's top radix-8 group and the IFFT's last one run as
//   one pass over the columns plus a derivative of that eighth alone: both
//   maps are linear and the group's commutes with the derivative's low-bit
//   part, so the LAST data shards lost cost about what the first do);
//   lost symbol at e = work[e] / exp(L(e)).
//   L, the prepared factors and the pruning plan are kept while the erasure
//   pattern repeats (a decode with the previous call's pattern skips them).
// "Wide" mode (mpow + k > 65536, e.g. 60000+5000): parity at [0, m), data at
// [m, m + k), n = 65536, positions [m + k, 65536) punctured; the code is
// polynomials of degree < k, and encode runs the decoder with the parity
// positions erased (a full 65536-point decode; only for huge blocks).
//
// Shard bytes: every shard is `len` bytes, len a multiple of kShardAlign (64).
// Each 64-byte block holds 32 field elements as 32 low bytes then 32 high bytes
// (core/gf/ff16_kernels.h); data shards are opaque bytes to the caller.
//
// Column striping: every operation is independent per 64-byte column, so
// Encode/Decode run the whole transform on column stripes of S bytes of all
// shards before moving to the next stripe. S is chosen at Init so the FFT
// working set (2*mpow*S for encode, n*S for decode) stays near 1 MiB
// (Zen 4's L2 is 1 MiB), but never below 256 bytes (per-pass overhead) or above
// max_len. The work area is therefore about 1 MiB (more only for n > 4096),
// not shards x length, and the shards are
// read once per stripe (with software prefetch of the next shards).
//
// Transforms: up to three butterfly layers per pass (radix 8; 4 + 4 for the
// last four layers) so each 64-byte block is loaded and stored once per three
// layers. IFFT groups whose inputs are all zero are skipped. Encode reads data
// shards directly in the first IFFT pass, XOR-accumulates each chunk's IFFT in
// its last pass and writes parity from the last FFT pass (no copies). Decode scales received
// shards by the locator inside the first IFFT pass.
//
// SIMD: the kernel table (scalar/SSSE3/AVX2/AVX-512/AVX-512+GFNI) is chosen
// once per Encode/Decode call from cpu::ActiveIsa().
//
// Thread safety: one Rs16 per thread (Encode/Decode use the object's scratch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/fec/status.h"
#include "core/gf/ff16_kernels.h"

namespace lumen::fec {

class Rs16 {
 public:
  static constexpr size_t kShardAlign = 64;  // len must be a multiple of this
  static constexpr uint32_t kMaxShards = 65535;

  Rs16() = default;
  Rs16(const Rs16&) = delete;
  Rs16& operator=(const Rs16&) = delete;
  Rs16(Rs16&&) = default;
  Rs16& operator=(Rs16&&) = default;

  // k >= 1 data shards, m >= 1 parity shards, k + m <= 65535; max_len > 0 and a
  // multiple of 64. Allocates every table and work buffer here (a few MiB at
  // most for the largest blocks). kInvalidArgument otherwise. May be called
  // again to re-shape the codec.
  Status Init(uint32_t k, uint32_t m, size_t max_len);
  uint32_t k() const { return k_; }
  uint32_t m() const { return m_; }

  // data: k pointers; parity: m pointers (written); len % 64 == 0 and
  // len <= max_len. No allocation. kInvalidArgument on null pointers, bad len
  // or an uninitialised codec.
  Status Encode(const uint8_t* const* data, uint8_t* const* parity, size_t len) noexcept;

  // shards: k + m pointers, data shards [0, k) then parity shards [k, k + m),
  // each a valid len-byte buffer (lost ones too); missing: k + m flags,
  // missing[i] != 0 => shard i lost. Rebuilds lost DATA shards in place (lost
  // parity is not rebuilt). kTooFewShards when fewer than k survive (nothing is
  // written then). No allocation.
  Status Decode(uint8_t* const* shards, const uint8_t* missing, size_t len) noexcept;

 private:
  struct FreeDeleter {
    void operator()(uint8_t* p) const noexcept;
  };
  // Runs the erasure decoder over erased_/src_ and writes out_*[0, num_out_).
  // mode: 0 decode, 1 wide-mode encode (part of the locator cache key).
  Status RunDecode(const gf::ff16::Kernels& kr, size_t len, int mode) noexcept;

  uint32_t k_ = 0, m_ = 0;
  size_t max_len_ = 0;
  uint32_t mpow_ = 0;     // NextPow2(m)
  uint32_t n_ = 0;        // decoder transform size
  uint32_t data_pos_ = 0; // FFT position of data shard 0
  bool wide_ = false;     // wide mode (see above)
  size_t enc_stripe_ = 0; // column stripe widths in bytes
  size_t dec_stripe_ = 0;
  std::vector<gf::ff16::MulConst> skew_;  // n_ + 1 prepared twist factors
  std::vector<uint32_t> log_walsh_;       // n_
  std::unique_ptr<uint8_t[], FreeDeleter> work_mem_;
  std::vector<uint8_t*> work_;            // n_ pointers, dec_stripe_ bytes each
  std::vector<uint8_t*> enc_work_;        // 2 * mpow_ pointers, enc_stripe_ bytes each
  std::unique_ptr<uint8_t[], FreeDeleter> zero_;  // one stripe of zeros
  std::vector<const uint8_t*> enc_in_;    // mpow_ pointer scratch
  std::vector<uint8_t*> enc_out_;         // mpow_ pointer scratch
  std::vector<const uint8_t*> dec_in_;    // n_ pointer scratch
  // Decode scratch, sized at Init.
  std::vector<uint8_t> erased_;           // n_
  std::vector<uint32_t> loc_;             // n_
  std::vector<const uint8_t*> src_;       // n_
  std::vector<gf::ff16::MulConst> in_mul_;   // n_
  std::vector<uint32_t> out_pos_;         // up to max(k, m)
  std::vector<uint8_t*> out_dst_;
  std::vector<gf::ff16::MulConst> out_mul_;
  std::vector<uint32_t> need_;            // n_ + 1 prefix counts of positions to reveal
  // Locator cache: loc_, in_mul_, out_pos_/out_mul_, need_ depend only on the
  // erasure pattern; a call with the same pattern (and mode) as the last reuses them.
  std::vector<uint8_t> cached_erased_;    // n_
  int cached_mode_ = -1;                  // -1: nothing cached
  uint32_t cached_out_count_ = 0;
  uint32_t num_out_ = 0;
};

}  // namespace lumen::fec

// host/encode/convert_avx2.cc — the AVX2 body of host/encode/convert.h: 32 pixels of two
// rows per turn. Built with -mavx2 (LUMEN_AVX2_COPTS) and only called when
// lumen::cpu says AVX2 is usable. Same integer formulas as the SSE2 and scalar paths in
// convert.cc, so the output is bit-identical (convert_test compares them):
//   Y = (47 R + 157 G + 16 B + 128 + (16 << 8)) >> 8
//   U = (-26 r - 86 g + 112 b + 512 + (128 << 10)) >> 10    (r, g, b: 2x2 block sums)
//   V = (112 r - 102 g - 10 b + 512 + (128 << 10)) >> 10
//
// Luma: each pixel's bytes are shuffled to (B, G, G, R) so one maddubs gives the two
// 16-bit partial sums 16 B + 78 G and 79 G + 47 R (both < 32768, no saturation); their
// sum plus the bias is at most 60324, so the rest stays in unsigned 16-bit lanes.
// Chroma: each pixel pair is shuffled to (c0 c0' c1 c1' ...) so maddubs by 1 sums the two
// columns per channel; adding the second row gives the 2x2 block sums (<= 1020), and
// madd against the U and V coefficients gives 32-bit dot products as in the SSE2 path.
#include <simde/x86/avx2.h>

#include <cstddef>

#include "host/encode/convert_simd.h"

namespace lumen::encode::detail {
namespace {

// Channel byte positions inside a 4-byte pixel.
template <bool kBgrx>
struct Order {
  static constexpr int kR = kBgrx ? 2 : 0;
  static constexpr int kB = kBgrx ? 0 : 2;
};

template <bool kBgrx>
inline simde__m256i LumaShuffle() {
  constexpr char b = Order<kBgrx>::kB, r = Order<kBgrx>::kR;
  return simde_mm256_setr_epi8(b, 1, 1, r, b + 4, 5, 5, r + 4, b + 8, 9, 9, r + 8, b + 12, 13, 13,
                               r + 12, b, 1, 1, r, b + 4, 5, 5, r + 4, b + 8, 9, 9, r + 8, b + 12,
                               13, 13, r + 12);
}

// 8 pixels -> 8 x u16 (luma * 256 before bias), as pairs of partial sums.
inline simde__m256i LumaPartial(simde__m256i px, simde__m256i shuf, simde__m256i coef) {
  return simde_mm256_maddubs_epi16(simde_mm256_shuffle_epi8(px, shuf), coef);
}

// 32 pixels (four registers of 8) -> 32 luma bytes in order.
inline void Luma32(const simde__m256i p[4], uint8_t* y, simde__m256i shuf) {
  const simde__m256i coef = simde_mm256_set1_epi32(int32_t(0x2F4F4E10));  // 16, 78, 79, 47
  const simde__m256i bias = simde_mm256_set1_epi16(int16_t(128 + (16 << 8)));
  // hadd_epi16 wraps (no saturation): the true sums fit unsigned 16 bits.
  simde__m256i h01 = simde_mm256_hadd_epi16(LumaPartial(p[0], shuf, coef),
                                            LumaPartial(p[1], shuf, coef));
  simde__m256i h23 = simde_mm256_hadd_epi16(LumaPartial(p[2], shuf, coef),
                                            LumaPartial(p[3], shuf, coef));
  h01 = simde_mm256_srli_epi16(simde_mm256_add_epi16(h01, bias), 8);
  h23 = simde_mm256_srli_epi16(simde_mm256_add_epi16(h23, bias), 8);
  // Lanes hold 4-pixel groups in the order 0 2 4 6 | 1 3 5 7.
  const simde__m256i packed = simde_mm256_packus_epi16(h01, h23);
  const simde__m256i fixed =
      simde_mm256_permutevar8x32_epi32(packed, simde_mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  simde_mm256_storeu_si256(reinterpret_cast<simde__m256i*>(y), fixed);
}

// Four 2x2 blocks (8 pixels of two rows) -> int32 lanes [U0 U1 V0 V1 | U2 U3 V2 V3].
inline simde__m256i Chroma4(simde__m256i a, simde__m256i b, simde__m256i cu, simde__m256i cv) {
  const simde__m256i pair = simde_mm256_setr_epi8(0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14,
                                                  11, 15, 0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13,
                                                  10, 14, 11, 15);
  const simde__m256i ones = simde_mm256_set1_epi8(1);
  const simde__m256i sums =
      simde_mm256_add_epi16(simde_mm256_maddubs_epi16(simde_mm256_shuffle_epi8(a, pair), ones),
                            simde_mm256_maddubs_epi16(simde_mm256_shuffle_epi8(b, pair), ones));
  const simde__m256i uv = simde_mm256_hadd_epi32(simde_mm256_madd_epi16(sums, cu),
                                                 simde_mm256_madd_epi16(sums, cv));
  return simde_mm256_srai_epi32(simde_mm256_add_epi32(uv, simde_mm256_set1_epi32(512 + (128 << 10))),
                                10);
}

template <bool kBgrx, bool kNv12>
void Rows32(const uint8_t* s0, const uint8_t* s1, int n, uint8_t* y0, uint8_t* y1, uint8_t* u,
            uint8_t* v, ptrdiff_t ahead) {
  const simde__m256i lshuf = LumaShuffle<kBgrx>();
  // Coefficients per block in pixel byte order (positions 0, 1, 2; X gets 0).
  const simde__m256i cu = kBgrx ? simde_mm256_set1_epi64x(0x0000FFE6FFAA0070LL)   // 112 -86 -26 0
                                : simde_mm256_set1_epi64x(0x00000070FFAAFFE6LL);  // -26 -86 112 0
  const simde__m256i cv = kBgrx ? simde_mm256_set1_epi64x(0x00000070FF9AFFF6LL)   // -10 -102 112 0
                                : simde_mm256_set1_epi64x(0x0000FFF6FF9A0070LL);  // 112 -102 -10 0
  // After the first qword permute, lane k holds [U U V V U U V V | U U V V U U V V] of
  // blocks 8k..8k+7 in the order 0 1 0 1 4 5 4 5 | 2 3 2 3 6 7 6 7 (see Rows32's comment).
  const simde__m256i uv_shuf =
      kNv12 ? simde_mm256_setr_epi8(0, 2, 1, 3, 8, 10, 9, 11, 4, 6, 5, 7, 12, 14, 13, 15, 0, 2,
                                    1, 3, 8, 10, 9, 11, 4, 6, 5, 7, 12, 14, 13, 15)
            : simde_mm256_setr_epi8(0, 1, 8, 9, 4, 5, 12, 13, 2, 3, 10, 11, 6, 7, 14, 15, 0, 1,
                                    8, 9, 4, 5, 12, 13, 2, 3, 10, 11, 6, 7, 14, 15);
  for (int x = 0; x < n; x += 32) {
    simde__m256i a[4], b[4];
    if (ahead != 0) {
      // The next row pair, one row pair ahead: the hardware prefetchers stop at every
      // 4 KiB page, and a captured frame is rarely still in the cache.
      simde_mm_prefetch(reinterpret_cast<const char*>(s0 + ahead + 4 * x), SIMDE_MM_HINT_T0);
      simde_mm_prefetch(reinterpret_cast<const char*>(s0 + ahead + 4 * x + 64), SIMDE_MM_HINT_T0);
      simde_mm_prefetch(reinterpret_cast<const char*>(s1 + ahead + 4 * x), SIMDE_MM_HINT_T0);
      simde_mm_prefetch(reinterpret_cast<const char*>(s1 + ahead + 4 * x + 64), SIMDE_MM_HINT_T0);
    }
    for (int i = 0; i < 4; ++i) {
      a[i] = simde_mm256_loadu_si256(reinterpret_cast<const simde__m256i*>(s0 + 4 * x + 32 * i));
      b[i] = simde_mm256_loadu_si256(reinterpret_cast<const simde__m256i*>(s1 + 4 * x + 32 * i));
    }
    Luma32(a, y0 + x, lshuf);
    Luma32(b, y1 + x, lshuf);
    // Blocks 0-3, 4-7, 8-11, 12-15 of this group.
    const simde__m256i hA = Chroma4(a[0], b[0], cu, cv);
    const simde__m256i hB = Chroma4(a[1], b[1], cu, cv);
    const simde__m256i hC = Chroma4(a[2], b[2], cu, cv);
    const simde__m256i hD = Chroma4(a[3], b[3], cu, cv);
    // Words: [U0 U1 V0 V1 U4 U5 V4 V5 | U2 U3 V2 V3 U6 U7 V6 V7], then bytes with C/D's
    // blocks 8-15 in the upper qword of each lane.
    const simde__m256i packed = simde_mm256_packus_epi16(simde_mm256_packs_epi32(hA, hB),
                                                         simde_mm256_packs_epi32(hC, hD));
    // Qwords (0 2 1 3): lane 0 = blocks 0-7, lane 1 = blocks 8-15.
    const simde__m256i lanes = simde_mm256_permute4x64_epi64(packed, SIMDE_MM_SHUFFLE(3, 1, 2, 0));
    const simde__m256i ordered = simde_mm256_shuffle_epi8(lanes, uv_shuf);
    const int c = x / 2;
    if constexpr (kNv12) {
      // Lane k = U V pairs of blocks 8k..8k+7.
      simde_mm256_storeu_si256(reinterpret_cast<simde__m256i*>(u + 2 * c), ordered);
    } else {
      // Lane k = [U 8k..8k+7 | V 8k..8k+7]: gather the U qwords, then the V qwords.
      const simde__m256i uv = simde_mm256_permute4x64_epi64(ordered, SIMDE_MM_SHUFFLE(3, 1, 2, 0));
      simde_mm_storeu_si128(reinterpret_cast<simde__m128i*>(u + c), simde_mm256_castsi256_si128(uv));
      simde_mm_storeu_si128(reinterpret_cast<simde__m128i*>(v + c),
                            simde_mm256_extracti128_si256(uv, 1));
    }
  }
}

}  // namespace

void RowsAvx2(const uint8_t* s0, const uint8_t* s1, int n, uint8_t* y0, uint8_t* y1, uint8_t* u,
              uint8_t* v, bool bgrx, bool nv12, ptrdiff_t ahead) noexcept {
  if (bgrx) {
    if (nv12) Rows32<true, true>(s0, s1, n, y0, y1, u, v, ahead);
    else Rows32<true, false>(s0, s1, n, y0, y1, u, v, ahead);
  } else {
    if (nv12) Rows32<false, true>(s0, s1, n, y0, y1, u, v, ahead);
    else Rows32<false, false>(s0, s1, n, y0, y1, u, v, ahead);
  }
}

}  // namespace lumen::encode::detail

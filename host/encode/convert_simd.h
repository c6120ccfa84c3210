// host/encode/convert_simd.h — internal: the per-ISA bodies of host/encode/convert.h,
// each in its own translation unit built with that ISA's flags. convert.cc picks one at
// run time (lumen::cpu::ActiveIsa) and finishes each row with the SSE2 and scalar code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lumen::encode::detail {

// Converts the first n pixels (n a multiple of 32) of two source rows s0, s1 into luma
// rows y0, y1 and n/2 chroma samples: I420 into u and v, or with nv12 interleaved U V
// pairs into u (v unused). bgrx: byte order B G R X, else R G B X. Needs AVX2.
// ahead: if not 0, the byte distance from s0/s1 to the next row pair to prefetch.
void RowsAvx2(const uint8_t* s0, const uint8_t* s1, int n, uint8_t* y0, uint8_t* y1, uint8_t* u,
              uint8_t* v, bool bgrx, bool nv12, ptrdiff_t ahead) noexcept;

}  // namespace lumen::encode::detail

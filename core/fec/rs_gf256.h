// core/fec/rs_gf256.h — Moonlight-compatible systematic Reed-Solomon over GF(2^8).
//
// Bit-exact with the FEC that Moonlight clients and Sunshine ship (nanors):
// field GF(2^8)/0x11D, shards 0..k-1 are the data unchanged, shards k..k+m-1 the
// parity, parity_j = XOR_i C[j][i] * data_i with
//   - kCauchy (video, and every block except audio): C[j][i] = inv((m + i) XOR j);
//   - kMoonlightAudio (k=4, m=2 only): rows {77 40 38 0e} and {c7 a7 0d 6c}.
// Known-answer vectors: core/fec/testdata/moonlight-fec (see its README).
//
// Decoding recovers any <= m lost shards from any k survivors in place, using the
// lowest-numbered surviving parity shards (as nanors does). Per-(k,m) tables and
// all decode scratch are built by Init(); Encode/Decode never allocate. The bulk
// work runs on the GF(2^8) kernel variant chosen once in Init() from
// cpu::ActiveIsa() (core/gf/gf256_kernels.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/fec/status.h"
#include "core/gf/gf256_kernels.h"

namespace lumen::fec {

enum class Gf256Matrix { kCauchy, kMoonlightAudio };

class Rs256 {
 public:
  static constexpr int kMaxShards = 255;  // k + m limit (nanors rejects 256)

  Rs256() = default;

  // k>=1, m>=1, k+m<=255; kMoonlightAudio requires k==4, m==2. Builds the
  // parity matrix and sizes the decode scratch (allocates here only).
  // Returns kInvalidArgument otherwise and leaves the object uninitialised.
  Status Init(int k, int m, Gf256Matrix kind = Gf256Matrix::kCauchy);

  int k() const { return k_; }
  int m() const { return m_; }
  // The m x k parity matrix, row-major (C[j][i] at [j*k + i]); null before Init.
  const uint8_t* matrix() const { return k_ ? matrix_.data() : nullptr; }
  // Name of the kernel variant in use ("scalar", "avx2", ...).
  const char* kernel_name() const { return kernels_ ? kernels_->name : "none"; }

  // data: k pointers, parity: m pointers, each a len>=1 byte buffer; parity
  // must not overlap data. Writes all m parity shards. Thread-safe (const).
  // kInvalidArgument for null arrays/pointers, len==0, or before Init.
  Status Encode(const uint8_t* const* data, uint8_t* const* parity, size_t len) const noexcept;

  // shards: k+m pointers, each a valid len-byte buffer (lost ones too).
  // missing[i]!=0 => shard i lost. Rebuilds lost data shards in place (and lost
  // parity too when rebuild_parity); surviving shards and `missing` are not
  // modified. kTooFewShards when fewer than k shards survive (nothing written).
  // No allocation. Not thread-safe (uses per-object scratch).
  Status Decode(uint8_t* const* shards, const uint8_t* missing, size_t len,
                bool rebuild_parity = false) noexcept;

 private:
  // Fills inv_ (e x e) with the inverse of C[rows][cols]; false if singular.
  bool InvertSubmatrix(const int* rows, const int* cols, int e) noexcept;

  int k_ = 0;
  int m_ = 0;
  Gf256Matrix kind_ = Gf256Matrix::kCauchy;
  const gf::Gf256Kernels* kernels_ = nullptr;
  std::vector<uint8_t> matrix_;  // m x k

  // Decode scratch, sized by Init.
  std::vector<uint8_t> coeffs_;          // up to m x k: decode / re-encode rows
  std::vector<uint8_t> inv_;             // e x e inverse
  std::vector<uint8_t> work_;            // e x 2e Gauss-Jordan work area
  std::vector<int> lax_, lay_;           // Cauchy closed-form factors (logs)
  std::vector<int> lost_data_;           // indices of lost data shards
  std::vector<int> lost_parity_;         // parity row numbers of lost parity shards
  std::vector<int> use_parity_;          // parity rows used to decode
  std::vector<int> cols_;                // y-indices of lost data (for the submatrix)
  std::vector<const uint8_t*> in_;       // k inputs
  std::vector<uint8_t*> out_;            // up to m outputs
  std::vector<const uint8_t*> rows_;     // parity-matrix rows as kernel inputs
};

}  // namespace lumen::fec

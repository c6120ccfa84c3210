// core/fec/rs_gf256.cc — Moonlight-compatible Reed-Solomon over GF(2^8).
//
// Decode of e lost data shards with the first e surviving parity rows P:
//   syndrome s_a = parity_{P_a} + sum_{i survived} C[P_a][i] * data_i
//   A = C[P][L] (e x e), lost = A^-1 * s.
// Expanding the syndrome gives one multi-source dot product over k inputs
// (the surviving data shards and the e parity shards) whose coefficient row for
// lost shard b is  (A^-1 * C[P])[b][i]  for surviving data i, and A^-1[b][t] for
// the parity that stands in column L_t. A Cauchy submatrix is Cauchy, so A^-1 has
// a closed form (O(e^2)); the audio matrix uses Gauss-Jordan.
#include "core/fec/rs_gf256.h"

#include <cstring>

#include "core/gf/gf256.h"

namespace lumen::fec {

using gf::Gf256;

namespace {
constexpr uint8_t kAudioRows[2][4] = {{0x77, 0x40, 0x38, 0x0e}, {0xc7, 0xa7, 0x0d, 0x6c}};
}  // namespace

Status Rs256::Init(int k, int m, Gf256Matrix kind) {
  k_ = m_ = 0;
  if (k < 1 || m < 1 || k + m > kMaxShards) return Status::kInvalidArgument;
  if (kind == Gf256Matrix::kMoonlightAudio && (k != 4 || m != 2)) {
    return Status::kInvalidArgument;
  }
  if (kind != Gf256Matrix::kCauchy && kind != Gf256Matrix::kMoonlightAudio) {
    return Status::kInvalidArgument;
  }
  kind_ = kind;
  matrix_.assign(size_t(m) * k, 0);
  for (int j = 0; j < m; ++j) {
    for (int i = 0; i < k; ++i) {
      matrix_[size_t(j) * k + i] = kind == Gf256Matrix::kMoonlightAudio
                                       ? kAudioRows[j][i]
                                       : Gf256::Inv(uint8_t((m + i) ^ j));
    }
  }
  const int e_max = k < m ? k : m;
  coeffs_.assign(size_t(m) * k, 0);
  inv_.assign(size_t(e_max) * e_max, 0);
  work_.assign(size_t(e_max) * 2 * e_max, 0);
  lax_.assign(e_max, 0);
  lay_.assign(e_max, 0);
  lost_data_.assign(k, 0);
  lost_parity_.assign(m, 0);
  use_parity_.assign(m, 0);
  cols_.assign(e_max, 0);
  in_.assign(k, nullptr);
  out_.assign(m, nullptr);
  rows_.assign(m, nullptr);
  kernels_ = &gf::SelectGf256Kernels();
  k_ = k;
  m_ = m;
  return Status::kOk;
}

Status Rs256::Encode(const uint8_t* const* data, uint8_t* const* parity,
                     size_t len) const noexcept {
  if (k_ == 0 || data == nullptr || parity == nullptr || len == 0) {
    return Status::kInvalidArgument;
  }
  for (int i = 0; i < k_; ++i) {
    if (data[i] == nullptr) return Status::kInvalidArgument;
  }
  for (int j = 0; j < m_; ++j) {
    if (parity[j] == nullptr) return Status::kInvalidArgument;
  }
  kernels_->dot(matrix_.data(), data, k_, parity, m_, len);
  return Status::kOk;
}

bool Rs256::InvertSubmatrix(const int* rows, const int* cols, int e) noexcept {
  const int k = k_;
  uint8_t* inv = inv_.data();
  if (kind_ == Gf256Matrix::kCauchy) {
    // A[a][b] = 1/(x_a + y_b) with x_a = rows[a], y_b = m + cols[b]. Then
    // A^-1[b][a] = ax[a] * ay[b] / (x_a + y_b) where
    //   ax[a] = prod_c (x_a + y_c) / prod_{c != a} (x_a + x_c),
    //   ay[b] = prod_c (x_c + y_b) / prod_{c != b} (y_b + y_c).
    // All in the log domain (256/512-byte tables, L1-resident): products are
    // sums of logs mod 255. Every factor is nonzero (x_a != y_c since x < m <= y,
    // and rows/cols are distinct).
    const auto& lt = gf::gf256_detail::kLogExp;
    for (int a = 0; a < e; ++a) {
      const int xa = rows[a];
      int lnum = 0, lden = 0;
      for (int c = 0; c < e; ++c) {
        lnum += lt.log[xa ^ (m_ + cols[c])];
        if (c != a) lden += lt.log[xa ^ rows[c]];
      }
      lax_[a] = (lnum % 255 + 255 - lden % 255) % 255;
    }
    for (int b = 0; b < e; ++b) {
      const int yb = m_ + cols[b];
      int lnum = 0, lden = 0;
      for (int c = 0; c < e; ++c) {
        lnum += lt.log[rows[c] ^ yb];
        if (c != b) lden += lt.log[yb ^ (m_ + cols[c])];
      }
      lay_[b] = (lnum % 255 + 255 - lden % 255) % 255;
    }
    for (int b = 0; b < e; ++b) {
      const int yb = m_ + cols[b];
      const int lb = lay_[b] + 255;
      uint8_t* out = inv + b * e;
      for (int a = 0; a < e; ++a) {
        // exp[] is doubled (512 entries): index < 255 + 510 - 0 needs a reduce.
        int l = lax_[a] + lb - lt.log[rows[a] ^ yb];
        if (l >= 510) l -= 255;
        out[a] = lt.exp[l];
      }
    }
    return true;
  }
  // Gauss-Jordan on [A | I], A[a][b] = C[rows[a]][cols[b]].
  const int w = 2 * e;
  uint8_t* g = work_.data();
  for (int a = 0; a < e; ++a) {
    for (int b = 0; b < e; ++b) {
      g[a * w + b] = matrix_[size_t(rows[a]) * k + cols[b]];
      g[a * w + e + b] = a == b;
    }
  }
  for (int p = 0; p < e; ++p) {
    int r = p;
    while (r < e && g[r * w + p] == 0) ++r;
    if (r == e) return false;
    if (r != p) {
      for (int c = 0; c < w; ++c) {
        const uint8_t t = g[p * w + c];
        g[p * w + c] = g[r * w + c];
        g[r * w + c] = t;
      }
    }
    const uint8_t s = Gf256::Inv(g[p * w + p]);
    for (int c = 0; c < w; ++c) g[p * w + c] = Gf256::Mul(s, g[p * w + c]);
    for (int q = 0; q < e; ++q) {
      const uint8_t f = g[q * w + p];
      if (q == p || f == 0) continue;
      for (int c = 0; c < w; ++c) g[q * w + c] ^= Gf256::Mul(f, g[p * w + c]);
    }
  }
  // A^-1 maps syndromes (indexed by parity a) to lost shards (indexed by b):
  // lost = A^-1 s, so A^-1 rows are indexed by b (the column order of A).
  for (int b = 0; b < e; ++b) std::memcpy(inv + b * e, g + b * w + e, e);
  return true;
}

Status Rs256::Decode(uint8_t* const* shards, const uint8_t* missing, size_t len,
                     bool rebuild_parity) noexcept {
  if (k_ == 0 || shards == nullptr || missing == nullptr || len == 0) {
    return Status::kInvalidArgument;
  }
  const int k = k_, m = m_;
  for (int i = 0; i < k + m; ++i) {
    if (shards[i] == nullptr) return Status::kInvalidArgument;
  }
  int e = 0, f = 0;
  for (int i = 0; i < k; ++i) {
    if (missing[i]) lost_data_[e++] = i;
  }
  int u = 0;  // surviving parity rows, lowest first
  for (int j = 0; j < m; ++j) {
    if (missing[k + j]) {
      lost_parity_[f++] = j;
    } else if (u < m) {
      use_parity_[u++] = j;
    }
  }
  if (e > u) return Status::kTooFewShards;

  if (e > 0) {
    for (int t = 0; t < e; ++t) cols_[t] = lost_data_[t];
    if (!InvertSubmatrix(use_parity_.data(), cols_.data(), e)) return Status::kTooFewShards;
    // coeffs (e x k) = A^-1 * C[P]; then the lost columns take A^-1's columns.
    for (int a = 0; a < e; ++a) rows_[a] = matrix_.data() + size_t(use_parity_[a]) * k;
    uint8_t* dec = coeffs_.data();
    if (size_t(e) * e * k <= 256) {  // tiny blocks (audio): cheaper than a kernel call
      for (int b = 0; b < e; ++b) {
        for (int i = 0; i < k; ++i) {
          uint8_t v = 0;
          for (int a = 0; a < e; ++a) v ^= Gf256::Mul(inv_[size_t(b) * e + a], rows_[a][i]);
          dec[size_t(b) * k + i] = v;
        }
      }
    } else {
      for (int b = 0; b < e; ++b) out_[b] = dec + size_t(b) * k;
      kernels_->dot(inv_.data(), rows_.data(), e, out_.data(), e, size_t(k));
    }
    int t = 0;
    for (int i = 0; i < k; ++i) {
      if (t < e && lost_data_[t] == i) {
        for (int b = 0; b < e; ++b) dec[size_t(b) * k + i] = inv_[size_t(b) * e + t];
        in_[i] = shards[k + use_parity_[t]];
        ++t;
      } else {
        in_[i] = shards[i];
      }
    }
    for (int b = 0; b < e; ++b) out_[b] = shards[lost_data_[b]];
    kernels_->dot(dec, in_.data(), k, out_.data(), e, len);
  }

  if (rebuild_parity && f > 0) {
    uint8_t* rows = coeffs_.data();
    for (int t = 0; t < f; ++t) {
      std::memcpy(rows + size_t(t) * k, matrix_.data() + size_t(lost_parity_[t]) * k, k);
      out_[t] = shards[k + lost_parity_[t]];
    }
    for (int i = 0; i < k; ++i) in_[i] = shards[i];
    kernels_->dot(rows, in_.data(), k, out_.data(), f, len);
  }
  return Status::kOk;
}

}  // namespace lumen::fec

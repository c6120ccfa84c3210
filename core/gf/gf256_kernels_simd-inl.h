// core/gf/gf256_kernels_simd-inl.h — the GF(2^8) region kernels, written once and
// textually included by each per-ISA translation unit (no include guard on
// purpose). Everything here has internal linkage, so copies built with different
// -m flags can never be merged by the linker.
//
// The including file defines, inside its own namespace lumen::gf::detail::<isa>
// and an anonymous namespace:
//   using V = <vector type>;   constexpr size_t kW;       // bytes per vector
//   constexpr int kMaxGroup;   // outputs kept in registers per dot pass
//   constexpr int kColumns;    // adjacent vectors per output processed together
//   constexpr int kMaxAccumulators;  // cap on kMaxGroup * kColumns in registers
//   V Load(const uint8_t*); void Store(uint8_t*, V);
//   V LoadPartial(const uint8_t*, size_t n); void StorePartial(uint8_t*, V, size_t n);
//   V XorV(V, V); V Xor3V(V, V, V);
//   struct Src;  Src Prepare(V x);           // per-input precomputation
//   struct Coef; Coef MakeCoef(uint8_t c);   // per-coefficient constants
//   V MulBy(const Coef&, const Src&);        // c * x, byte-wise
//   using Prep; Prep PrepCoef(uint8_t c);    // compact stored form for Dot
//   V MulP(Prep, const Src&);                // c * x from the stored form
// and then includes this file.

void Mul(uint8_t* dst, const uint8_t* src, uint8_t c, size_t len) {
  const Coef cf = MakeCoef(c);
  size_t b = 0;
  for (; b + kW <= len; b += kW) Store(dst + b, MulBy(cf, Prepare(Load(src + b))));
  if (b < len) StorePartial(dst + b, MulBy(cf, Prepare(LoadPartial(src + b, len - b))), len - b);
}

void MulAdd(uint8_t* dst, const uint8_t* src, uint8_t c, size_t len) {
  if (c == 0) return;
  const Coef cf = MakeCoef(c);
  size_t b = 0;
  for (; b + kW <= len; b += kW) {
    Store(dst + b, XorV(Load(dst + b), MulBy(cf, Prepare(Load(src + b)))));
  }
  if (b < len) {
    const size_t n = len - b;
    StorePartial(dst + b, XorV(LoadPartial(dst + b, n), MulBy(cf, Prepare(LoadPartial(src + b, n)))),
                 n);
  }
}

void Xor(uint8_t* dst, const uint8_t* src, size_t len) {
  size_t b = 0;
  for (; b + kW <= len; b += kW) Store(dst + b, XorV(Load(dst + b), Load(src + b)));
  if (b < len) {
    const size_t n = len - b;
    StorePartial(dst + b, XorV(LoadPartial(dst + b, n), LoadPartial(src + b, n)), n);
  }
}

// k > 255 (never used by Rs256): one output at a time with Mul/MulAdd.
void DotWide(const uint8_t* coeffs, const uint8_t* const* in, int k, uint8_t* const* out, int m,
             size_t len) {
  for (int j = 0; j < m; ++j) {
    const uint8_t* row = coeffs + size_t(j) * k;
    Mul(out[j], in[0], row[0], len);
    for (int i = 1; i < k; ++i) MulAdd(out[j], in[i], row[i], len);
  }
}

// C adjacent columns of G outputs: every input vector is loaded once and
// multiplied into all G accumulators of its column, and every coefficient is
// used for C columns; the G*C accumulators stay in registers (the loops over g
// and c are fully unrolled). prep holds the prepared coefficients input-major:
// prep[i * G + g]. kPartial (only with C == 1) handles the last n < kW bytes.
template <int G, int C, bool kPartial>
__attribute__((always_inline)) inline void DotColumns(const Prep* prep, int k,
                                                      const uint8_t* const* in,
                                                      uint8_t* const* out, size_t off, size_t n) {
  static_assert(C == 1 || !kPartial);
  // The first input assigns the accumulators (peeled, no conditional in the
  // loop: clang 14 miscompiled an `i == 0 ? assign : accumulate` form).
  V acc[C][G];
  Src x[C];
  const auto load = [&](int i, int c) {
    return Prepare(kPartial ? LoadPartial(in[i] + off, n) : Load(in[i] + off + c * kW));
  };
#pragma GCC unroll 4
  for (int c = 0; c < C; ++c) x[c] = load(0, c);
#pragma GCC unroll 32
  for (int g = 0; g < G; ++g) {
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) acc[c][g] = MulP(prep[g], x[c]);
  }
  int i = 1;
  // Two inputs per step: one three-way XOR (vpternlogq where available) folds
  // both products into the accumulator.
  for (; i + 1 < k; i += 2) {
    Src y[C];
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
      x[c] = load(i, c);
      y[c] = load(i + 1, c);
    }
    const Prep* p = prep + size_t(i) * G;
    const Prep* q = p + G;
#pragma GCC unroll 32
    for (int g = 0; g < G; ++g) {
#pragma GCC unroll 4
      for (int c = 0; c < C; ++c) acc[c][g] = Xor3V(acc[c][g], MulP(p[g], x[c]), MulP(q[g], y[c]));
    }
  }
  if (i < k) {
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) x[c] = load(i, c);
    const Prep* p = prep + size_t(i) * G;
#pragma GCC unroll 32
    for (int g = 0; g < G; ++g) {
#pragma GCC unroll 4
      for (int c = 0; c < C; ++c) acc[c][g] = XorV(acc[c][g], MulP(p[g], x[c]));
    }
  }
#pragma GCC unroll 32
  for (int g = 0; g < G; ++g) {
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
      if (kPartial) {
        StorePartial(out[g] + off, acc[c][g], n);
      } else {
        Store(out[g] + off + c * kW, acc[c][g]);
      }
    }
  }
}

template <int G>
void DotGroup(const uint8_t* coeffs, int k, const uint8_t* const* in, uint8_t* const* out,
              size_t len) {
  // k <= 255 (the Reed-Solomon limit); larger k is processed in chunks below.
  Prep prep[G * 255];
  for (int i = 0; i < k; ++i) {
    for (int g = 0; g < G; ++g) prep[i * G + g] = PrepCoef(coeffs[size_t(g) * k + i]);
  }
  // Tiles of kColumns columns while the accumulators fit, then single columns.
  constexpr int kFit = kMaxAccumulators / G > 1 ? kMaxAccumulators / G : 1;
  constexpr int kC = kColumns < kFit ? kColumns : kFit;
  size_t off = 0;
  if constexpr (kC > 1) {
    for (; off + kC * kW <= len; off += kC * kW) DotColumns<G, kC, false>(prep, k, in, out, off, kW);
  }
  for (; off + kW <= len; off += kW) DotColumns<G, 1, false>(prep, k, in, out, off, kW);
  if (off < len) DotColumns<G, 1, true>(prep, k, in, out, off, len - off);
}

template <int G>
void DotGroupDispatch(int g, const uint8_t* coeffs, int k, const uint8_t* const* in,
                      uint8_t* const* out, size_t len) {
  if constexpr (G >= 1) {
    if (g == G) return DotGroup<G>(coeffs, k, in, out, len);
    return DotGroupDispatch<G - 1>(g, coeffs, k, in, out, len);
  }
}

void Dot(const uint8_t* coeffs, const uint8_t* const* in, int k, uint8_t* const* out, int m,
         size_t len) {
  if (k > 255) return DotWide(coeffs, in, k, out, m, len);
  // Split m outputs into balanced groups of at most kMaxGroup.
  const int groups = (m + kMaxGroup - 1) / kMaxGroup;
  int j = 0;
  for (int gi = 0; gi < groups; ++gi) {
    const int g = (m - j) / (groups - gi) + ((m - j) % (groups - gi) != 0);
    DotGroupDispatch<kMaxGroup>(g, coeffs + size_t(j) * k, k, in, out + j, len);
    j += g;
  }
}

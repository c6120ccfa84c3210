// core/gf/ff16_engine-inl.h — buffer kernels and the additive-FFT passes,
// compiled once per ISA.
//
// TEXTUAL header: each core/gf/ff16_<isa>.cc includes it INSIDE its own namespace
// (lumen::gf::ff16::<isa>), after <cstring>, having defined in that namespace:
//   struct Prep;                          // register form of a MulConst
//   Prep LoadConst(const MulConst& c);
//   struct Blk;                           // one 64-byte block (32 elements) in registers
//   Blk LoadBlk(const uint8_t* p);  void StoreBlk(uint8_t* p, const Blk& v);
//   Blk XorBlk(const Blk& a, const Blk& b);
//   Blk MulBlk(const Blk& a, const Prep& c);   // c * a (0 when c == 0)
// Everything here is `static`, so copies in different ISA translation units
// never merge at link time.
//
// Algorithm (Lin, Chung, Han; Leopard's FF16 layout): positions are field
// elements in Cantor coordinates; the butterfly factor of a group starting at r
// with half-width d is skew[base + r + d] (skew[j] = FFT skew of index j - 1).
// Up to three layers are done per pass (radix 8, else 4 or 2) so each block is
// loaded and stored once per pass; a zero factor turns a butterfly into XOR.

static inline void XorBuf(uint8_t* x, const uint8_t* y, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) StoreBlk(x + b, XorBlk(LoadBlk(x + b), LoadBlk(y + b)));
}

static inline void MulBuf(uint8_t* out, const uint8_t* in, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) StoreBlk(out + b, MulBlk(LoadBlk(in + b), c));
}

// x ^= c*y; y ^= x
static inline void Fft2(uint8_t* x, uint8_t* y, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) {
    const Blk yv = LoadBlk(y + b);
    const Blk xv = XorBlk(LoadBlk(x + b), MulBlk(yv, c));
    StoreBlk(x + b, xv);
    StoreBlk(y + b, XorBlk(yv, xv));
  }
}

// y ^= x; x ^= c*y
static inline void Ifft2(uint8_t* x, uint8_t* y, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) {
    const Blk xv = LoadBlk(x + b);
    const Blk yv = XorBlk(LoadBlk(y + b), xv);
    StoreBlk(y + b, yv);
    StoreBlk(x + b, XorBlk(xv, MulBlk(yv, c)));
  }
}

// One inverse radix-2 group: in[i], in[i + d] -> out[i], out[i + d] for
// i in [r, r + d). acc: XOR the results into out instead of storing them.
static void IfftGroup2(const uint8_t* const* in, uint8_t* const* out, unsigned r, unsigned d,
                       const MulConst& m, bool acc, size_t len) {
  const Prep c = LoadConst(m);
  const bool z = m.value == 0;
  for (unsigned i = r; i < r + d; ++i) {
    const uint8_t* i0 = in[i];
    const uint8_t* i1 = in[i + d];
    uint8_t* o0 = out[i];
    uint8_t* o1 = out[i + d];
    for (size_t b = 0; b < len; b += kBlockBytes) {
      Blk x = LoadBlk(i0 + b);
      Blk y = XorBlk(LoadBlk(i1 + b), x);
      if (!z) x = XorBlk(x, MulBlk(y, c));
      if (acc) {
        x = XorBlk(x, LoadBlk(o0 + b));
        y = XorBlk(y, LoadBlk(o1 + b));
      }
      StoreBlk(o0 + b, x);
      StoreBlk(o1 + b, y);
    }
  }
}

// One inverse radix-4 group (layers d and 2d) over in[i + {0,1,2,3}d].
// in_mul (first pass only, d == 1): multiply input i by in_mul[i] on load.
// kAcc: XOR into out (no zero factors); kGeneric handles zero factors and acc.
template <bool kGeneric, bool kAcc = false>
static void IfftGroup4T(const uint8_t* const* in, uint8_t* const* out, unsigned r, unsigned d,
                        const MulConst& m01, const MulConst& m23, const MulConst& m02, bool acc,
                        const MulConst* in_mul, size_t len) {
  const Prep c01 = LoadConst(m01), c23 = LoadConst(m23), c02 = LoadConst(m02);
  if (in_mul != nullptr) {  // d == 1: one quad, inputs scaled by their own factors
    const Prep p0 = LoadConst(in_mul[r]), p1 = LoadConst(in_mul[r + 1]);
    const Prep p2 = LoadConst(in_mul[r + 2]), p3 = LoadConst(in_mul[r + 3]);
    const uint8_t* i0 = in[r];
    const uint8_t* i1 = in[r + 1];
    const uint8_t* i2 = in[r + 2];
    const uint8_t* i3 = in[r + 3];
    for (size_t b = 0; b < len; b += kBlockBytes) {
      Blk a = MulBlk(LoadBlk(i0 + b), p0), bb = MulBlk(LoadBlk(i1 + b), p1);
      Blk c = MulBlk(LoadBlk(i2 + b), p2), e = MulBlk(LoadBlk(i3 + b), p3);
      bb = XorBlk(bb, a);
      a = XorBlk(a, MulBlk(bb, c01));
      e = XorBlk(e, c);
      c = XorBlk(c, MulBlk(e, c23));
      c = XorBlk(c, a);
      e = XorBlk(e, bb);
      a = XorBlk(a, MulBlk(c, c02));
      bb = XorBlk(bb, MulBlk(e, c02));
      if (acc) {
        a = XorBlk(a, LoadBlk(out[r] + b));
        bb = XorBlk(bb, LoadBlk(out[r + 1] + b));
        c = XorBlk(c, LoadBlk(out[r + 2] + b));
        e = XorBlk(e, LoadBlk(out[r + 3] + b));
      }
      StoreBlk(out[r] + b, a);
      StoreBlk(out[r + 1] + b, bb);
      StoreBlk(out[r + 2] + b, c);
      StoreBlk(out[r + 3] + b, e);
    }
    return;
  }
  const bool z01 = kGeneric && m01.value == 0;
  const bool z23 = kGeneric && m23.value == 0;
  const bool z02 = kGeneric && m02.value == 0;
  for (unsigned i = r; i < r + d; ++i) {
    const uint8_t* i0 = in[i];
    const uint8_t* i1 = in[i + d];
    const uint8_t* i2 = in[i + 2 * d];
    const uint8_t* i3 = in[i + 3 * d];
    uint8_t* o0 = out[i];
    uint8_t* o1 = out[i + d];
    uint8_t* o2 = out[i + 2 * d];
    uint8_t* o3 = out[i + 3 * d];
    for (size_t b = 0; b < len; b += kBlockBytes) {
      Blk a = LoadBlk(i0 + b), bb = LoadBlk(i1 + b), c = LoadBlk(i2 + b), e = LoadBlk(i3 + b);
      bb = XorBlk(bb, a);
      if (!z01) a = XorBlk(a, MulBlk(bb, c01));
      e = XorBlk(e, c);
      if (!z23) c = XorBlk(c, MulBlk(e, c23));
      c = XorBlk(c, a);
      e = XorBlk(e, bb);
      if (!z02) {
        a = XorBlk(a, MulBlk(c, c02));
        bb = XorBlk(bb, MulBlk(e, c02));
      }
      if ((kGeneric && acc) || kAcc) {
        a = XorBlk(a, LoadBlk(o0 + b));
        bb = XorBlk(bb, LoadBlk(o1 + b));
        c = XorBlk(c, LoadBlk(o2 + b));
        e = XorBlk(e, LoadBlk(o3 + b));
      }
      StoreBlk(o0 + b, a);
      StoreBlk(o1 + b, bb);
      StoreBlk(o2 + b, c);
      StoreBlk(o3 + b, e);
    }
  }
}

static inline void IfftGroup4(const uint8_t* const* in, uint8_t* const* out, unsigned r,
                              unsigned d, const MulConst& m01, const MulConst& m23,
                              const MulConst& m02, bool acc, const MulConst* in_mul,
                              size_t len) {
  if (in_mul != nullptr) {
    IfftGroup4T<false>(in, out, r, d, m01, m23, m02, acc, in_mul, len);
  } else if (m01.value == 0 || m23.value == 0 || m02.value == 0) {
    IfftGroup4T<true>(in, out, r, d, m01, m23, m02, acc, nullptr, len);
  } else if (acc) {
    IfftGroup4T<false, true>(in, out, r, d, m01, m23, m02, true, nullptr, len);
  } else {
    IfftGroup4T<false>(in, out, r, d, m01, m23, m02, false, nullptr, len);
  }
}

// Radix of the next pass with `layers` layers left: 8, but 4 + 4 for the last
// four (a radix-2 pass costs a whole sweep over memory for one layer).
static constexpr unsigned RadixFor(unsigned layers) {
  return layers >= 3 && layers != 4 ? 8 : layers >= 2 ? 4 : 2;
}

// Into L2 (prefetcht1), six groups ahead: the shards come from L3 or DRAM,
// and prefetching them into L1 three groups ahead (as before) evicted the
// work area's lines there; measured on Zen 4, W4 encode 3.4-6.8k -> 5.2-5.9k
// MB/s interleaved, W3 unchanged or better.
static inline void PrefetchStripe(const uint8_t* p, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) __builtin_prefetch(p + b, 0, 2);
}

// One inverse radix-8 group (layers d, 2d, 4d) over in[i + {0..7}d]. m[j] is
// the factor of the butterfly whose upper half starts at r + (j + 1)d, i.e.
// layer d uses m[0], m[2], m[4], m[6]; layer 2d uses m[1], m[5]; layer 4d m[3].
// Zero factors of a radix-8 group at r = 0 of a transform at base 0: the
// butterflies whose upper half starts at d, 2d and 4d (powers of two), i.e.
// m[0], m[1], m[3]. kR0 hard-codes that pattern (no run-time tests).
static constexpr bool R0Zero(int j) { return j == 0 || j == 1 || j == 3; }
static inline bool IsR0Pattern(const MulConst* const* m) {
  for (int j = 0; j < 7; ++j)
    if ((m[j]->value == 0) != R0Zero(j)) return false;
  return true;
}

template <bool kGeneric, bool kR0 = false, bool kAcc = false>
static void IfftGroup8T(const uint8_t* const* in, uint8_t* const* out, unsigned r, unsigned d,
                        const MulConst* const* m, bool acc, size_t len) {
  Prep c[7];
  bool z[7];
  for (int j = 0; j < 7; ++j) {
    c[j] = LoadConst(*m[j]);
    z[j] = kR0 ? R0Zero(j) : kGeneric && m[j]->value == 0;
  }
  for (unsigned i = r; i < r + d; ++i) {
    const uint8_t* ip[8];
    uint8_t* op[8];
    for (int j = 0; j < 8; ++j) {
      ip[j] = in[i + j * d];
      op[j] = out[i + j * d];
    }
    for (size_t b = 0; b < len; b += kBlockBytes) {
      Blk x[8];
      for (int j = 0; j < 8; ++j) x[j] = LoadBlk(ip[j] + b);
      // layer d: pairs (0,1) m0, (2,3) m2, (4,5) m4, (6,7) m6
      for (int j = 0; j < 8; j += 2) {
        x[j + 1] = XorBlk(x[j + 1], x[j]);
        if (!z[j]) x[j] = XorBlk(x[j], MulBlk(x[j + 1], c[j]));
      }
      // layer 2d: pairs (0,2), (1,3) m1; (4,6), (5,7) m5
      for (int g = 0; g < 8; g += 4) {
        const int f = g + 1;
        for (int j = g; j < g + 2; ++j) {
          x[j + 2] = XorBlk(x[j + 2], x[j]);
          if (!z[f]) x[j] = XorBlk(x[j], MulBlk(x[j + 2], c[f]));
        }
      }
      // layer 4d: pairs (j, j + 4) m3
      for (int j = 0; j < 4; ++j) {
        x[j + 4] = XorBlk(x[j + 4], x[j]);
        if (!z[3]) x[j] = XorBlk(x[j], MulBlk(x[j + 4], c[3]));
      }
      if ((kGeneric && acc) || kAcc) {
        for (int j = 0; j < 8; ++j) x[j] = XorBlk(x[j], LoadBlk(op[j] + b));
      }
      for (int j = 0; j < 8; ++j) StoreBlk(op[j] + b, x[j]);
    }
  }
}

static inline void IfftGroup8(const uint8_t* const* in, uint8_t* const* out, unsigned r,
                              unsigned d, const MulConst* skew, unsigned base, bool acc,
                              size_t len) {
  const MulConst* m[7];
  bool any_zero = false;
  for (unsigned j = 0; j < 7; ++j) {
    m[j] = &skew[base + r + (j + 1) * d];
    any_zero = any_zero || m[j]->value == 0;
  }
  if (!acc && any_zero && IsR0Pattern(m)) {
    IfftGroup8T<false, true>(in, out, r, d, m, false, len);
  } else if (any_zero) {
    IfftGroup8T<true>(in, out, r, d, m, acc, len);
  } else if (acc) {
    IfftGroup8T<false, false, true>(in, out, r, d, m, true, len);
  } else {
    IfftGroup8T<false>(in, out, r, d, m, false, len);
  }
}

// Inverse FFT of n points. rd (n entries) is read-pointer scratch: the caller
// fills rd[i] for i < trunc (`zero`, the zero stripe, for a known-zero input);
// inputs at positions >= trunc are zero. The first pass reads rd, scaled by
// in_mul[i] when in_mul != nullptr (n >= 4); every pass writes w, the last one
// XOR-accumulates into acc instead when acc != nullptr. A group whose inputs
// are all the zero stripe is skipped: its outputs stay zero (rd keeps pointing
// at `zero` for them, so nothing is ever memset), and later passes read rd.
// leave_top8 (n >= 32, IfftCanLeaveTop8): the passes are arranged so the last
// is one radix-8 group, which is NOT run: rd[0, n) then points at its inputs
// (w or `zero`) for the caller to fuse it with what follows.
static void EngineIfft(const uint8_t** rd, uint8_t* const* w, uint8_t* const* acc, unsigned n,
                       unsigned trunc, const MulConst* skew, unsigned base,
                       const MulConst* in_mul, unsigned max_radix, const uint8_t* zero,
                       size_t len, bool leave_top8 = false) {
  for (unsigned i = trunc; i < n; ++i) rd[i] = zero;
  if (n == 1) {
    if (acc != nullptr) {
      XorBuf(acc[0], rd[0], len);
    } else if (rd[0] != w[0]) {
      std::memcpy(w[0], rd[0], len);
    }
    return;
  }
  bool first = true;
  unsigned dist = 1;
  while (dist < n) {
    unsigned layers = 0;
    while ((dist << (layers + 1)) <= n) ++layers;  // layers left: log2(n / dist)
    // Radix 8 where possible; the first pass scales inputs only in radix 4.
    unsigned radix =
        (first && in_mul != nullptr) || max_radix < 8
            ? (layers >= 2 ? 4 : 2)
            : RadixFor(layers);
    if (leave_top8) {  // stop with three layers left (see IfftCanLeaveTop8)
      if (layers == 3) return;
      if (!(first && in_mul != nullptr)) radix = layers <= 6 ? 1u << (layers - 3) : layers == 7 ? 4 : 8;
    }
    const unsigned span = radix * dist;
    const bool last = span == n;
    const bool to_acc = last && acc != nullptr;
    uint8_t* const* dst = to_acc ? acc : w;
    for (unsigned r = 0; r < trunc; r += span) {
      bool live = false;
      for (unsigned q = r; q < r + span && !live; ++q) live = rd[q] != zero;
      if (!live) {  // all inputs zero: outputs zero
        if (last && !to_acc)
          for (unsigned q = r; q < r + span; ++q) std::memset(w[q], 0, len);
        continue;
      }
      if (first && r + 7 * span <= n) {  // the first pass streams from the shards
        for (unsigned q = r + 6 * span; q < r + 7 * span; ++q)
          if (rd[q] != zero) PrefetchStripe(rd[q], len);
      }
      if (radix == 8) {
        IfftGroup8(rd, dst, r, dist, skew, base, to_acc, len);
      } else if (radix == 4) {
        IfftGroup4(rd, dst, r, dist, skew[base + r + dist], skew[base + r + 3 * dist],
                   skew[base + r + 2 * dist], to_acc, first ? in_mul : nullptr, len);
      } else {
        IfftGroup2(rd, dst, r, dist, skew[base + r + dist], to_acc, len);
      }
      if (!last)
        for (unsigned q = r; q < r + span; ++q) rd[q] = w[q];
    }
    first = false;
    dist = span;
  }
}

// Whether EngineIfft(leave_top8) can end on a radix-8 pass without a radix-2
// pass (scaled: whether in_mul is given, which makes the first pass radix 4).
static inline bool IfftCanLeaveTop8(unsigned n, bool scaled) {
  unsigned layers = 0;
  while ((1u << (layers + 1)) <= n) ++layers;
  if (scaled) {
    if (layers < 5) return false;
    layers -= 2;
  }
  return layers >= 3 && layers != 4;
}

// One forward radix-2 group: x ^= c*y; y ^= x, results to out.
static void FftGroup2(uint8_t* const* w, uint8_t* const* out, unsigned r, unsigned d,
                      const MulConst& m, size_t len) {
  const Prep c = LoadConst(m);
  const bool z = m.value == 0;
  for (unsigned i = r; i < r + d; ++i) {
    const uint8_t* i0 = w[i];
    const uint8_t* i1 = w[i + d];
    uint8_t* o0 = out[i];
    uint8_t* o1 = out[i + d];
    for (size_t b = 0; b < len; b += kBlockBytes) {
      Blk x = LoadBlk(i0 + b);
      const Blk y = LoadBlk(i1 + b);
      if (!z) x = XorBlk(x, MulBlk(y, c));
      StoreBlk(o0 + b, x);
      StoreBlk(o1 + b, XorBlk(y, x));
    }
  }
}

template <bool kGeneric>
static void FftGroup4T(uint8_t* const* w, uint8_t* const* out, unsigned r, unsigned d,
                       const MulConst& m01, const MulConst& m23, const MulConst& m02,
                       size_t len) {
  const Prep c01 = LoadConst(m01), c23 = LoadConst(m23), c02 = LoadConst(m02);
  const bool z01 = kGeneric && m01.value == 0;
  const bool z23 = kGeneric && m23.value == 0;
  const bool z02 = kGeneric && m02.value == 0;
  for (unsigned i = r; i < r + d; ++i) {
    const uint8_t* i0 = w[i];
    const uint8_t* i1 = w[i + d];
    const uint8_t* i2 = w[i + 2 * d];
    const uint8_t* i3 = w[i + 3 * d];
    uint8_t* o0 = out[i];
    uint8_t* o1 = out[i + d];
    uint8_t* o2 = out[i + 2 * d];
    uint8_t* o3 = out[i + 3 * d];
    for (size_t b = 0; b < len; b += kBlockBytes) {
      Blk a = LoadBlk(i0 + b), bb = LoadBlk(i1 + b), c = LoadBlk(i2 + b), e = LoadBlk(i3 + b);
      if (!z02) {
        a = XorBlk(a, MulBlk(c, c02));
        bb = XorBlk(bb, MulBlk(e, c02));
      }
      c = XorBlk(c, a);
      e = XorBlk(e, bb);
      if (!z01) a = XorBlk(a, MulBlk(bb, c01));
      bb = XorBlk(bb, a);
      if (!z23) c = XorBlk(c, MulBlk(e, c23));
      e = XorBlk(e, c);
      StoreBlk(o0 + b, a);
      StoreBlk(o1 + b, bb);
      StoreBlk(o2 + b, c);
      StoreBlk(o3 + b, e);
    }
  }
}

static inline void FftGroup4(uint8_t* const* w, uint8_t* const* out, unsigned r, unsigned d,
                             const MulConst& m01, const MulConst& m23, const MulConst& m02,
                             size_t len) {
  if (m01.value == 0 || m23.value == 0 || m02.value == 0) {
    FftGroup4T<true>(w, out, r, d, m01, m23, m02, len);
  } else {
    FftGroup4T<false>(w, out, r, d, m01, m23, m02, len);
  }
}

// One forward radix-8 group (layers 4d, 2d, d); factors as IfftGroup8.
template <bool kGeneric, bool kR0 = false>
static void FftGroup8T(uint8_t* const* w, uint8_t* const* out, unsigned r, unsigned d,
                       const MulConst* const* m, size_t len) {
  Prep c[7];
  bool z[7];
  for (int j = 0; j < 7; ++j) {
    c[j] = LoadConst(*m[j]);
    z[j] = kR0 ? R0Zero(j) : kGeneric && m[j]->value == 0;
  }
  for (unsigned i = r; i < r + d; ++i) {
    const uint8_t* ip[8];
    uint8_t* op[8];
    for (int j = 0; j < 8; ++j) {
      ip[j] = w[i + j * d];
      op[j] = out[i + j * d];
    }
    for (size_t b = 0; b < len; b += kBlockBytes) {
      Blk x[8];
      for (int j = 0; j < 8; ++j) x[j] = LoadBlk(ip[j] + b);
      // layer 4d: pairs (j, j + 4) m3
      for (int j = 0; j < 4; ++j) {
        if (!z[3]) x[j] = XorBlk(x[j], MulBlk(x[j + 4], c[3]));
        x[j + 4] = XorBlk(x[j + 4], x[j]);
      }
      // layer 2d: pairs (0,2), (1,3) m1; (4,6), (5,7) m5
      for (int g = 0; g < 8; g += 4) {
        const int f = g + 1;
        for (int j = g; j < g + 2; ++j) {
          if (!z[f]) x[j] = XorBlk(x[j], MulBlk(x[j + 2], c[f]));
          x[j + 2] = XorBlk(x[j + 2], x[j]);
        }
      }
      // layer d: pairs (0,1) m0, (2,3) m2, (4,5) m4, (6,7) m6
      for (int j = 0; j < 8; j += 2) {
        if (!z[j]) x[j] = XorBlk(x[j], MulBlk(x[j + 1], c[j]));
        x[j + 1] = XorBlk(x[j + 1], x[j]);
      }
      for (int j = 0; j < 8; ++j) StoreBlk(op[j] + b, x[j]);
    }
  }
}

static inline void FftGroup8(uint8_t* const* w, uint8_t* const* out, unsigned r, unsigned d,
                             const MulConst* skew, unsigned base, size_t len) {
  const MulConst* m[7];
  bool any_zero = false;
  for (unsigned j = 0; j < 7; ++j) {
    m[j] = &skew[base + r + (j + 1) * d];
    any_zero = any_zero || m[j]->value == 0;
  }
  if (any_zero && IsR0Pattern(m)) {
    FftGroup8T<false, true>(w, out, r, d, m, len);
  } else if (any_zero) {
    FftGroup8T<true>(w, out, r, d, m, len);
  } else {
    FftGroup8T<false>(w, out, r, d, m, len);
  }
}

// Which inputs of a forward radix-R group (sub-blocks, bit j) the outputs in
// `need` depend on; z[k] says factor k (as FftGroup8's m[k]) is zero. With a
// zero factor the butterfly's low output is its low input alone. after[h]
// (h = 1, 2, .. R/2) receives the outputs wanted after the layer of
// half-width h (in units of d).
template <unsigned R>
static unsigned FftInputsNeeded(unsigned need, const bool* z, unsigned* after) {
  unsigned cur = need;
  for (unsigned h = 1; h < R; h <<= 1) {
    after[h] = cur;
    unsigned in = 0;
    for (unsigned j = 0; j < R; ++j) {
      if (j & h) continue;
      const unsigned lo = 1u << j, hi = 1u << (j + h);
      const bool zero = z[(j & ~(2 * h - 1)) + h - 1];
      if (cur & hi) in |= lo | hi;
      if (cur & lo) in |= zero ? lo : lo | hi;
    }
    cur = in;
  }
  return cur;
}

// One forward radix-R group (R = 2, 4, 8; factors as FftGroup8) of which only
// the outputs of sub-blocks j in `need` (bit j: positions r + j*d + [0, d))
// are wanted: only the butterflies (halves) those depend on run, each as its
// own pass over the stripe (for a sparse `need` that is far less work than the
// whole group; W3's worst case needs one XOR of two sub-blocks at the top).
// Works in place in w; wanted outputs are then copied to `out` where it differs.
template <unsigned R>
static void FftGroupPruned(uint8_t* const* w, uint8_t* const* out, unsigned r, unsigned d,
                           const MulConst* skew, unsigned base, unsigned need, size_t len) {
  bool z[R - 1];
  for (unsigned j = 0; j + 1 < R; ++j) z[j] = skew[base + r + (j + 1) * d].value == 0;
  unsigned after[R] = {};
  FftInputsNeeded<R>(need, z, after);
  for (unsigned h = R / 2; h >= 1; h >>= 1) {
    for (unsigned j = 0; j < R; ++j) {
      if (j & h) continue;
      const unsigned k = (j & ~(2 * h - 1)) + h - 1;  // factor index
      const bool want_hi = after[h] & (1u << (j + h));
      const bool want_lo = after[h] & (1u << j);
      if (!want_lo && !want_hi) continue;
      const Prep c = LoadConst(skew[base + r + (k + 1) * d]);
      for (unsigned i = r; i < r + d; ++i) {
        uint8_t* x = w[i + j * d];
        uint8_t* y = w[i + (j + h) * d];
        if (!z[k] && want_hi) {
          Fft2(x, y, c, len);
        } else if (!z[k]) {  // x ^= c*y
          for (size_t b = 0; b < len; b += kBlockBytes)
            StoreBlk(x + b, XorBlk(LoadBlk(x + b), MulBlk(LoadBlk(y + b), c)));
        } else if (want_hi) {
          XorBuf(y, x, len);
        }
      }
    }
  }
  for (unsigned j = 0; j < R; ++j) {
    if (!(need & (1u << j))) continue;
    for (unsigned i = r; i < r + d; ++i)
      if (out[i + j * d] != w[i + j * d]) std::memcpy(out[i + j * d], w[i + j * d], len);
  }
}

// Sub-blocks (bit j: positions r + j*n/8 + [0, n/8)) whose values the first pass
// of EngineFft (one radix-8 group over all n >= 8 points; else all 8) reads to produce its
// wanted outputs; positions outside them may hold anything.
static unsigned FftFirstPassInputs(unsigned n, unsigned trunc, const uint32_t* need,
                                   const MulConst* skew, unsigned base) {
  unsigned layers = 0;
  while ((1u << (layers + 1)) <= n) ++layers;
  if (RadixFor(layers) != 8) return 0xFF;  // first pass not radix 8: read everything
  const unsigned d = n / 8;
  unsigned mask = 0;
  bool z[7];
  for (unsigned j = 0; j < 8; ++j) {
    const unsigned lo = j * d;
    if (need != nullptr ? need[lo + d] != need[lo] : lo < trunc) mask |= 1u << j;
    if (j < 7) z[j] = skew[base + (j + 1) * d].value == 0;
  }
  unsigned after[8];
  return FftInputsNeeded<8>(mask, z, after);
}

// Forward FFT over w[0, n). Wanted outputs: positions < trunc, or, when
// need != nullptr, the positions i with need[i + 1] != need[i] (need: n + 1
// prefix counts). Groups with no wanted output are skipped and the others
// pruned (FftGroupPruned); only wanted outputs are meaningful afterwards. The
// last pass writes to `out` (may equal w).
static void EngineFft(uint8_t* const* w, uint8_t* const* out, unsigned n, unsigned trunc,
                      const uint32_t* need, const MulConst* skew, unsigned base,
                      unsigned max_radix, size_t len) {
  if (n == 1) {
    if (out[0] != w[0]) std::memcpy(out[0], w[0], len);
    return;
  }
  unsigned span = n;  // group size of the next pass
  while (span > 1) {
    unsigned layers = 0;
    while ((1u << (layers + 1)) <= span) ++layers;  // log2(span)
    const unsigned radix = max_radix >= 8 ? RadixFor(layers) : layers >= 2 ? 4 : 2;
    const unsigned dist = span / radix;
    const unsigned full = (1u << radix) - 1;
    uint8_t* const* dst = dist == 1 ? out : w;
    for (unsigned r = 0; r < trunc; r += span) {
      unsigned mask = 0;
      for (unsigned j = 0; j < radix; ++j) {
        const unsigned lo = r + j * dist;
        if (need != nullptr ? need[lo + dist] != need[lo] : lo < trunc) mask |= 1u << j;
      }
      if (mask == 0) continue;
      // Sparse groups (the top of a transform pruned to a few outputs) run
      // pruned; the others in full (unwanted outputs are harmless scratch).
      if (mask != full && unsigned(__builtin_popcount(mask)) * 2 <= radix) {
        if (radix == 8) {
          FftGroupPruned<8>(w, dst, r, dist, skew, base, mask, len);
        } else if (radix == 4) {
          FftGroupPruned<4>(w, dst, r, dist, skew, base, mask, len);
        } else {
          FftGroupPruned<2>(w, dst, r, dist, skew, base, mask, len);
        }
      } else if (radix == 8) {
        FftGroup8(w, dst, r, dist, skew, base, len);
      } else if (radix == 4) {
        FftGroup4(w, dst, r, dist, skew[base + r + dist], skew[base + r + 3 * dist],
                  skew[base + r + 2 * dist], len);
      } else {
        FftGroup2(w, dst, r, dist, skew[base + r + dist], len);
      }
    }
    span = dist;
  }
}

// Formal derivative in the novel polynomial basis (Cantor basis: XOR only),
// plus the polynomial itself (it is zero at every erased position, where alone
// the result is read): w[t] ^= w[t + 2^b] for every bit b clear in t
// (t + 2^b < n), all reads of original values, so ascending t works in place.
// Eight consecutive positions are held in registers: their three low bits
// combine there, and each higher bit adds one load per position.
// Only positions in the sub-blocks of `sub` (bit j: [j*n/8, (j+1)*n/8)) are
// written (n >= 8); the others keep their values.
// extra (n entries, optional): also XOR extra[t] into w[t].
static void FormalDerivative(uint8_t* const* w, unsigned n, unsigned sub, size_t len,
                             uint8_t* const* extra = nullptr) {
  if (n < 8) {
    for (unsigned t = 0; t < n; ++t) {
      for (unsigned z = ~t & (n - 1); z != 0; z &= z - 1) XorBuf(w[t], w[t + (z & (0u - z))], len);
      if (extra != nullptr) XorBuf(w[t], extra[t], len);
    }
    return;
  }
  const unsigned d = n / 8;
  for (unsigned g = 0; g < n; g += 8) {
    unsigned touched = 0;  // sub-blocks meeting [g, g + 8)
    for (unsigned j = g / d; j * d < g + 8; ++j) touched |= 1u << j;
    if (!(touched & sub)) continue;
    uint8_t* const* srcs[14];
    unsigned ns = 0;
    for (unsigned z = ~g & (n - 1) & ~7u; z != 0; z &= z - 1) srcs[ns++] = w + g + (z & (0u - z));
    if (extra != nullptr) srcs[ns++] = extra + g;
    uint8_t* const* dst = w + g;
    for (size_t b = 0; b < len; b += kBlockBytes) {
      Blk x[8];
      for (int u = 0; u < 8; ++u) x[u] = LoadBlk(dst[u] + b);
      Blk o[8];
      o[7] = x[7];
      o[6] = XorBlk(x[6], x[7]);
      o[5] = XorBlk(x[5], x[7]);
      o[4] = XorBlk(XorBlk(x[4], x[5]), x[6]);
      o[3] = XorBlk(x[3], x[7]);
      o[2] = XorBlk(XorBlk(x[2], x[3]), x[6]);
      o[1] = XorBlk(XorBlk(x[1], x[3]), x[5]);
      o[0] = XorBlk(XorBlk(XorBlk(x[0], x[1]), x[2]), x[4]);
      for (unsigned s = 0; s < ns; ++s) {
        uint8_t* const* sp = srcs[s];
        for (int u = 0; u < 8; ++u) o[u] = XorBlk(o[u], LoadBlk(sp[u] + b));
      }
      for (int u = 0; u < 8; ++u) StoreBlk(dst[u] + b, o[u]);
    }
  }
}

struct FusedTopPlan {
  unsigned tin = 0;          // sub-blocks the group reads
  unsigned load = 0;         // those and the ones R adds into them: read per column
  unsigned char op[3][8]{};  // per layer (4d, 2d, d) and low index j: 0 none,
                             // 1 full butterfly, 2 x ^= c*y only, 3 y ^= x only
};

// Plan of the pruned radix-8 group with output sub-block kOut and the r = 0
// zero factors (R0Zero), at compile time.
static constexpr FusedTopPlan MakeFusedTopPlan(unsigned out) {
  FusedTopPlan p;
  unsigned after[8] = {};
  unsigned cur = 1u << out;
  for (unsigned h = 1; h < 8; h <<= 1) {
    after[h] = cur;
    unsigned in = 0;
    for (unsigned j = 0; j < 8; ++j) {
      if (j & h) continue;
      const bool zero = R0Zero(int((j & ~(2 * h - 1)) + h - 1));
      if (cur & (1u << (j + h))) in |= (1u << j) | (1u << (j + h));
      if (cur & (1u << j)) in |= zero ? (1u << j) : (1u << j) | (1u << (j + h));
    }
    cur = in;
  }
  p.tin = cur;
  p.load = cur;
  for (unsigned j = 0; j < 8; ++j)
    if (cur & (1u << j))
      for (unsigned c = 1; c < 8; c <<= 1)
        if (!(j & c)) p.load |= 1u << (j | c);
  unsigned li = 0;
  for (unsigned h = 4; h >= 1; h >>= 1, ++li) {
    for (unsigned j = 0; j < 8; ++j) {
      if (j & h) continue;
      const bool zero = R0Zero(int((j & ~(2 * h - 1)) + h - 1));
      const bool hi = after[h] & (1u << (j + h)), lo = after[h] & (1u << j);
      if (!lo && !hi) continue;
      p.op[li][j] = zero ? (hi ? 3 : 0) : (hi ? 1 : 2);
    }
  }
  return p;
}

// Columns pass of FusedDerivativeTop for output sub-block kOut: u to
// sub-block kOut, s to sub-block `scratch`. fac[j]: factor of butterfly j
// (FftGroup8's m[j]).
// kIfft: the columns come from rd (the IFFT's inputs of its last radix-8
// group, same factors) and that group runs here first, in registers.
template <unsigned kOut, bool kIfft>
static void FusedTopColumns(const uint8_t* const* rd, uint8_t* const* w, unsigned d,
                            const Prep* fac, unsigned scratch, size_t len) {
  static constexpr FusedTopPlan kP = MakeFusedTopPlan(kOut);
  for (unsigned i = 0; i < d; ++i) {
    const uint8_t* ip[8];
    for (unsigned j = 0; j < 8; ++j) ip[j] = kIfft ? rd[i + j * d] : w[i + j * d];
    uint8_t* const ou = w[i + kOut * d];
    uint8_t* const os = w[i + scratch * d];
    for (size_t b = 0; b < len; b += kBlockBytes) {
      Blk x[8], y[8];
      if (kIfft) {
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) x[j] = LoadBlk(ip[j] + b);
        // inverse layers d, 2d, 4d (IfftGroup8T with the r = 0 zero factors)
#pragma GCC unroll 3
        for (unsigned h = 1; h < 8; h <<= 1) {
#pragma GCC unroll 8
          for (unsigned j = 0; j < 8; ++j) {
            if (j & h) continue;
            const unsigned k = (j & ~(2 * h - 1)) + h - 1;
            x[j + h] = XorBlk(x[j + h], x[j]);
            if (!R0Zero(int(k))) x[j] = XorBlk(x[j], MulBlk(x[j + h], fac[k]));
          }
        }
      } else {
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j)
          if (kP.load & (1u << j)) x[j] = LoadBlk(ip[j] + b);
      }
#pragma GCC unroll 8
      for (unsigned j = 0; j < 8; ++j) {
        if (!(kP.tin & (1u << j))) continue;
        bool set = false;
#pragma GCC unroll 4
        for (unsigned c = 1; c < 8; c <<= 1) {
          if (j & c) continue;
          y[j] = set ? XorBlk(y[j], x[j | c]) : x[j | c];
          set = true;
        }
        if (!set) y[j] = XorBlk(x[j], x[j]);  // j = 7: R brings nothing
      }
#pragma GCC unroll 3
      for (unsigned li = 0; li < 3; ++li) {
        const unsigned h = 4u >> li;
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
          if (j & h) continue;
          const unsigned k = (j & ~(2 * h - 1)) + h - 1;
          const unsigned char o = kP.op[li][j];
          if (o == 1 || o == 2) {
            x[j] = XorBlk(x[j], MulBlk(x[j + h], fac[k]));
            y[j] = XorBlk(y[j], MulBlk(y[j + h], fac[k]));
          }
          if (o == 1 || o == 3) {
            x[j + h] = XorBlk(x[j + h], x[j]);
            y[j + h] = XorBlk(y[j + h], y[j]);
          }
        }
      }
      StoreBlk(ou + b, x[kOut]);
      StoreBlk(os + b, y[kOut]);
    }
  }
}

// The decoder's final FFT when its first pass is one radix-8 group over n >= 64
// points (sub-blocks of d = n/8) at r = 0 whose wanted outputs all lie in one
// sub-block o, fused with the formal derivative before it. Both are linear.
// The derivative is x + L x + R x, where L raises a clear index bit below d
// (within a sub-block) and R one of the three top bits (sub-block j ->
// j + 2^c, bit c clear in j). The group's map T works per column i (position
// i of each sub-block) with factors that do not depend on i, so T L = L T, and
// sub-block o of T(derivative of x) is
//   T_o(x) + L T_o(x) + T_o(R x) = D_d(u) + s,  u = T_o x, s = T_o(R x),
// D_d the d-point derivative. One pass over the columns forms u and s in
// registers (u in place in sub-block o, s in a sub-block no output reads),
// a d-point derivative of u adds s, and the rest of the FFT runs on sub-block
// o alone. Without it the derivative covers every sub-block T reads (all
// eight when o is in the upper half: the LAST data shards lost) and T runs as
// separate passes. The IFFT before it can leave its own last radix-8 group
// (same columns, same factors) to this pass as well.
// The output sub-block o when FusedDerivativeTop applies to the decoder's
// final FFT over n points, else -1.
static int FusedTopOutput(unsigned n, const uint32_t* need, const MulConst* skew) {
  if (n < 64 || need == nullptr) return -1;
  unsigned layers = 0;
  while ((1u << (layers + 1)) <= n) ++layers;
  if (RadixFor(layers) != 8) return -1;
  const unsigned d = n / 8;
  unsigned mask = 0;
  for (unsigned j = 0; j < 8; ++j)
    if (need[j * d + d] != need[j * d]) mask |= 1u << j;
  if (mask == 0 || (mask & (mask - 1)) != 0) return -1;
  const MulConst* m[7];
  for (unsigned j = 0; j < 7; ++j) m[j] = &skew[(j + 1) * d];
  if (!IsR0Pattern(m)) return -1;
  return __builtin_ctz(mask);
}

// rd: nullptr, or the IFFT's last radix-8 group left undone (EngineIfft
// leave_top8), which then runs inside the column pass.
static void FusedDerivativeTop(const uint8_t* const* rd, uint8_t* const* w, unsigned n,
                               unsigned o, const uint32_t* need, const MulConst* skew,
                               size_t len) {
  const unsigned d = n / 8;
  Prep fac[7];
  for (unsigned j = 0; j < 7; ++j) fac[j] = LoadConst(skew[(j + 1) * d]);
  const unsigned scratch = o == 0 ? 1 : 0;
#define LUMEN_FUSED_TOP_CASE(O)                                          \
  case O:                                                                \
    if (rd != nullptr) {                                                 \
      FusedTopColumns<O, true>(rd, w, d, fac, scratch, len);             \
    } else {                                                             \
      FusedTopColumns<O, false>(nullptr, w, d, fac, scratch, len);       \
    }                                                                    \
    break;
  switch (o) {
    LUMEN_FUSED_TOP_CASE(0)
    LUMEN_FUSED_TOP_CASE(1)
    LUMEN_FUSED_TOP_CASE(2)
    LUMEN_FUSED_TOP_CASE(3)
    LUMEN_FUSED_TOP_CASE(4)
    LUMEN_FUSED_TOP_CASE(5)
    LUMEN_FUSED_TOP_CASE(6)
    default:
    LUMEN_FUSED_TOP_CASE(7)
  }
#undef LUMEN_FUSED_TOP_CASE
  FormalDerivative(w + o * d, d, 0xFF, len, w + scratch * d);
  EngineFft(w + o * d, w + o * d, d, d, need + o * d, skew, o * d, 8, len);
}

// Largest radix of the decoder's transforms (8: three layers per pass).
static constexpr unsigned kDecodeRadix = 8;

// Encode of one column stripe: data/parity bytes [off, off + len); work
// buffers hold just this stripe (their bytes [0, len)).
static void EngineEncode(const EncodePlan& p, size_t off, size_t len) {
  const unsigned mp = p.mpow;
  uint8_t* const* w = p.work;
  const uint8_t** in = p.in_scratch;
  // work = sum over chunks of IFFT(chunk) at the chunk's own positions. The
  // first chunk's IFFT writes work; later ones XOR their last pass into it.
  for (unsigned co = 0; co < p.k; co += mp) {
    const unsigned cnt = p.k - co < mp ? p.k - co : mp;
    for (unsigned i = 0; i < cnt; ++i) in[i] = p.data[co + i] + off;
    const bool first = co == 0;
    // Chunks after the first run in the scratch half of work.
    uint8_t* const* t = first ? w : w + mp;
    EngineIfft(in, t, first ? nullptr : w, mp, cnt, p.skew, mp + co, nullptr, 8, p.zero, len);
  }
  // Parity = FFT at positions [0, m), last pass straight into the parity shards.
  uint8_t** out = p.out_scratch;
  for (unsigned i = 0; i < mp; ++i) out[i] = i < p.m ? p.parity[i] + off : w[i];
  EngineFft(w, out, mp, p.m, nullptr, p.skew, 0, 8, len);
}

// Decode of one column stripe: shard bytes [off, off + len); work buffers hold
// just this stripe.
static void EngineDecode(const DecodePlan& p, size_t off, size_t len) {
  uint8_t* const* w = p.work;
  const unsigned n = p.n;
  // work <- IFFT(received symbols times the error locator, zero where
  // erased); the first IFFT pass reads and scales the shards itself.
  const int fused = FusedTopOutput(n, p.need, p.skew);
  const bool fuse_ifft = fused >= 0 && IfftCanLeaveTop8(n, true);
  if (n >= 4) {
    const uint8_t** in = p.in_scratch;
    for (unsigned i = 0; i < p.in_count; ++i) in[i] = p.src[i] != nullptr ? p.src[i] + off : p.zero;
    EngineIfft(in, w, nullptr, n, p.in_count, p.skew, 0, p.in_mul, kDecodeRadix, p.zero, len,
               fuse_ifft);
  } else {
    for (unsigned i = 0; i < n; ++i) {
      if (i < p.in_count && p.src[i] != nullptr) {
        MulBuf(w[i], p.src[i] + off, LoadConst(p.in_mul[i]), len);
      } else {
        std::memset(w[i], 0, len);
      }
    }
    const uint8_t** in = p.in_scratch;
    for (unsigned i = 0; i < n; ++i) in[i] = w[i];
    EngineIfft(in, w, nullptr, n, n, p.skew, 0, nullptr, kDecodeRadix, p.zero, len);
  }
  // The final FFT reads only some sub-blocks of its input (W3's worst case:
  // 2 of 8); the derivative is needed only there.
  if (fused >= 0) {
    FusedDerivativeTop(fuse_ifft ? p.in_scratch : nullptr, w, n, unsigned(fused), p.need, p.skew,
                       len);
  } else {
    const unsigned sub = n >= 8 ? FftFirstPassInputs(n, p.out_count, p.need, p.skew, 0) : 0xFF;
    FormalDerivative(w, n, sub, len);
    EngineFft(w, w, n, p.out_count, p.need, p.skew, 0, kDecodeRadix, len);
  }
  // Erased symbol = (locator * codeword)'(x) / locator'(x).
  for (unsigned j = 0; j < p.num_out; ++j)
    MulBuf(p.out_dst[j] + off, w[p.out_pos[j]], LoadConst(p.out_mul[j]), len);
}

static void KXor(uint8_t* x, const uint8_t* y, size_t len) { XorBuf(x, y, len); }
static void KMul(uint8_t* out, const uint8_t* in, const MulConst& c, size_t len) {
  MulBuf(out, in, LoadConst(c), len);
}
static void KFft2(uint8_t* x, uint8_t* y, const MulConst& c, size_t len) {
  Fft2(x, y, LoadConst(c), len);
}
static void KIfft2(uint8_t* x, uint8_t* y, const MulConst& c, size_t len) {
  Ifft2(x, y, LoadConst(c), len);
}

#define LUMEN_FF16_KERNEL_TABLE(ISA, NAME) \
  Kernels { ISA, NAME, &KXor, &KMul, &KFft2, &KIfft2, &EngineEncode, &EngineDecode }

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
template <bool kGeneric>
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
      if (kGeneric && acc) {
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
  } else if (acc || m01.value == 0 || m23.value == 0 || m02.value == 0) {
    IfftGroup4T<true>(in, out, r, d, m01, m23, m02, acc, nullptr, len);
  } else {
    IfftGroup4T<false>(in, out, r, d, m01, m23, m02, false, nullptr, len);
  }
}

static inline void PrefetchStripe(const uint8_t* p, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) __builtin_prefetch(p + b);
}

// One inverse radix-8 group (layers d, 2d, 4d) over in[i + {0..7}d]. m[j] is
// the factor of the butterfly whose upper half starts at r + (j + 1)d, i.e.
// layer d uses m[0], m[2], m[4], m[6]; layer 2d uses m[1], m[5]; layer 4d m[3].
template <bool kGeneric>
static void IfftGroup8T(const uint8_t* const* in, uint8_t* const* out, unsigned r, unsigned d,
                        const MulConst* const* m, bool acc, size_t len) {
  Prep c[7];
  bool z[7];
  for (int j = 0; j < 7; ++j) {
    c[j] = LoadConst(*m[j]);
    z[j] = kGeneric && m[j]->value == 0;
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
      if (kGeneric && acc) {
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
  if (acc || any_zero) {
    IfftGroup8T<true>(in, out, r, d, m, acc, len);
  } else {
    IfftGroup8T<false>(in, out, r, d, m, false, len);
  }
}

// Inverse FFT of n points. The first pass reads `in` (in[i] for i >= trunc
// must read as zero), scaled by in_mul[i] when in_mul != nullptr (n >= 4), every
// pass writes w; the last pass writes to `acc` (XOR-accumulating) instead when
// acc != nullptr. Positions >= trunc of the input are zero, so groups starting
// there are skipped; the caller must have zeroed w[i] for i in
// [RoundUp(trunc, 4), n) when in != w.
static void EngineIfft(const uint8_t* const* in, uint8_t* const* w, uint8_t* const* acc,
                       unsigned n, unsigned trunc, const MulConst* skew, unsigned base,
                       const MulConst* in_mul, unsigned max_radix, size_t len) {
  if (n == 1) {
    if (acc != nullptr) {
      XorBuf(acc[0], in[0], len);
    } else if (in[0] != w[0]) {
      std::memcpy(w[0], in[0], len);
    }
    return;
  }
  const uint8_t* const* src = in;
  bool first = true;
  unsigned dist = 1;
  while (dist < n) {
    unsigned layers = 0;
    while ((dist << (layers + 1)) <= n) ++layers;  // layers left: log2(n / dist)
    // Radix 8 where possible; the first pass scales inputs only in radix 4.
    const unsigned radix =
        (first && in_mul != nullptr) || max_radix < 8
            ? (layers >= 2 ? 4 : 2)
            : (layers >= 3 ? 8 : layers == 2 ? 4 : 2);
    const unsigned span = radix * dist;
    const bool last = span == n;
    const bool to_acc = last && acc != nullptr;
    uint8_t* const* dst = to_acc ? acc : w;
    for (unsigned r = 0; r < trunc; r += span) {
      if (first && r + 4 * radix <= n) {  // the first pass streams from the shards
        for (unsigned q = 0; q < radix; ++q) PrefetchStripe(src[r + 3 * radix + q], len);
      }
      if (radix == 8) {
        IfftGroup8(src, dst, r, dist, skew, base, to_acc, len);
      } else if (radix == 4) {
        IfftGroup4(src, dst, r, dist, skew[base + r + dist], skew[base + r + 3 * dist],
                   skew[base + r + 2 * dist], to_acc, first ? in_mul : nullptr, len);
      } else {
        IfftGroup2(src, dst, r, dist, skew[base + r + dist], to_acc, len);
      }
    }
    src = w;
    first = false;
    dist = span;
  }
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
template <bool kGeneric>
static void FftGroup8T(uint8_t* const* w, uint8_t* const* out, unsigned r, unsigned d,
                       const MulConst* const* m, size_t len) {
  Prep c[7];
  bool z[7];
  for (int j = 0; j < 7; ++j) {
    c[j] = LoadConst(*m[j]);
    z[j] = kGeneric && m[j]->value == 0;
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
  if (any_zero) {
    FftGroup8T<true>(w, out, r, d, m, len);
  } else {
    FftGroup8T<false>(w, out, r, d, m, len);
  }
}

// In-place forward FFT over w[0, n); only outputs at positions < trunc are
// needed, so groups that start at or beyond trunc are skipped. The last pass
// writes to `out` (may equal w).
static void EngineFft(uint8_t* const* w, uint8_t* const* out, unsigned n, unsigned trunc,
                      const MulConst* skew, unsigned base, unsigned max_radix, size_t len) {
  if (n == 1) {
    if (out[0] != w[0]) std::memcpy(out[0], w[0], len);
    return;
  }
  unsigned span = n;  // group size of the next pass
  while (span > 1) {
    unsigned layers = 0;
    while ((1u << (layers + 1)) <= span) ++layers;  // log2(span)
    const unsigned radix = layers >= 3 && max_radix >= 8 ? 8 : layers >= 2 ? 4 : 2;
    const unsigned dist = span / radix;
    uint8_t* const* dst = dist == 1 ? out : w;
    for (unsigned r = 0; r < trunc; r += span) {
      if (radix == 8) {
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
    for (unsigned i = cnt; i < mp; ++i) in[i] = p.zero;
    const bool first = co == 0;
    // Chunks after the first run in the scratch half of work.
    uint8_t* const* t = first ? w : w + mp;
    for (unsigned i = (cnt + 3) & ~3u; i < mp; ++i) std::memset(t[i], 0, len);
    EngineIfft(in, t, first ? nullptr : w, mp, cnt, p.skew, mp + co, nullptr, 8, len);
  }
  // Parity = FFT at positions [0, m), last pass straight into the parity shards.
  uint8_t** out = p.out_scratch;
  for (unsigned i = 0; i < mp; ++i) out[i] = i < p.m ? p.parity[i] + off : w[i];
  EngineFft(w, out, mp, p.m, p.skew, 0, 8, len);
}

// Decode of one column stripe: shard bytes [off, off + len); work buffers hold
// just this stripe.
static void EngineDecode(const DecodePlan& p, size_t off, size_t len) {
  uint8_t* const* w = p.work;
  const unsigned n = p.n;
  // work <- IFFT(received symbols times the error locator, zero where
  // erased); the first IFFT pass reads and scales the shards itself.
  if (n >= 4) {
    const uint8_t** in = p.in_scratch;
    for (unsigned i = 0; i < p.in_count; ++i) in[i] = p.src[i] != nullptr ? p.src[i] + off : p.zero;
    for (unsigned i = p.in_count; i < ((p.in_count + 3) & ~3u); ++i) in[i] = p.zero;
    for (unsigned i = (p.in_count + 3) & ~3u; i < n; ++i) std::memset(w[i], 0, len);
    EngineIfft(in, w, nullptr, n, p.in_count, p.skew, 0, p.in_mul, kDecodeRadix, len);
  } else {
    for (unsigned i = 0; i < n; ++i) {
      if (i < p.in_count && p.src[i] != nullptr) {
        MulBuf(w[i], p.src[i] + off, LoadConst(p.in_mul[i]), len);
      } else {
        std::memset(w[i], 0, len);
      }
    }
    EngineIfft(w, w, nullptr, n, p.in_count, p.skew, 0, nullptr, kDecodeRadix, len);
  }
  // Formal derivative in the novel polynomial basis (Cantor basis: XOR only):
  // w[t] ^= w[t + 2^b] for every bit b clear in t (t + 2^b < n), all reads of
  // original values, so ascending t works in place.
  for (unsigned t = 0; t + 1 < n; ++t) {
    const uint8_t* srcs[16];
    unsigned ns = 0;
    for (unsigned z = ~t & (n - 1); z != 0; z &= z - 1) srcs[ns++] = w[t + (z & (0u - z))];
    for (size_t b = 0; b < len; b += kBlockBytes) {
      Blk v = LoadBlk(w[t] + b);
      for (unsigned s = 0; s < ns; ++s) v = XorBlk(v, LoadBlk(srcs[s] + b));
      StoreBlk(w[t] + b, v);
    }
  }
  EngineFft(w, w, n, p.out_count, p.skew, 0, kDecodeRadix, len);
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

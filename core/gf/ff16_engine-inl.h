// core/gf/ff16_engine-inl.h — the additive-FFT layer loops, compiled once per ISA.
//
// TEXTUAL header: each core/gf/ff16_<isa>.cc includes it INSIDE its own namespace
// (lumen::gf::ff16::<isa>) after defining, in that namespace:
//   struct Prep;                                       // register form of a MulConst
//   Prep LoadConst(const MulConst& c);
//   void XorBuf(uint8_t* x, const uint8_t* y, size_t len);             // x ^= y
//   void MulBuf(uint8_t* out, const uint8_t* in, const Prep& c, size_t len);
//   void Fft2(uint8_t* x, uint8_t* y, const Prep& c, size_t len);      // x ^= c*y; y ^= x
//   void Ifft2(uint8_t* x, uint8_t* y, const Prep& c, size_t len);     // y ^= x; x ^= c*y
// and after including <cstring>. Everything here is `static`, so the copies in
// different ISA translation units never merge at link time.
//
// Algorithm (Lin, Chung, Han; Leopard's FF16 layout): positions are field
// elements in Cantor coordinates; the butterfly factor of a group starting at
// r with half-width d is skew[base + r + d] (skew[j] = FFT skew of index j - 1).
// A zero factor turns a butterfly into a single XOR.

// In-place inverse FFT over w[0, n) (n a power of two). Inputs at positions
// >= trunc are zero, so groups that start there are skipped.
static inline void EngineIfft(uint8_t* const* w, size_t off, size_t len, unsigned n,
                              unsigned trunc, const MulConst* skew, unsigned base) {
  for (unsigned dist = 1; dist < n; dist <<= 1) {
    for (unsigned r = 0; r < trunc; r += 2 * dist) {
      const MulConst& mc = skew[base + r + dist];
      if (mc.value == 0) {
        for (unsigned i = r; i < r + dist; ++i) XorBuf(w[i + dist] + off, w[i] + off, len);
      } else {
        const Prep c = LoadConst(mc);
        for (unsigned i = r; i < r + dist; ++i) Ifft2(w[i] + off, w[i + dist] + off, c, len);
      }
    }
  }
}

// In-place forward FFT over w[0, n); only outputs at positions < trunc are
// needed, so groups that start at or beyond trunc are skipped in every layer.
static inline void EngineFft(uint8_t* const* w, size_t off, size_t len, unsigned n,
                             unsigned trunc, const MulConst* skew, unsigned base) {
  for (unsigned dist = n >> 1; dist != 0; dist >>= 1) {
    for (unsigned r = 0; r < trunc; r += 2 * dist) {
      const MulConst& mc = skew[base + r + dist];
      if (mc.value == 0) {
        for (unsigned i = r; i < r + dist; ++i) XorBuf(w[i + dist] + off, w[i] + off, len);
      } else {
        const Prep c = LoadConst(mc);
        for (unsigned i = r; i < r + dist; ++i) Fft2(w[i] + off, w[i + dist] + off, c, len);
      }
    }
  }
}

// Encode of one column stripe: data/parity bytes [off, off + len); work
// buffers hold just this stripe (their bytes [0, len)).
static void EngineEncode(const EncodePlan& p, size_t off, size_t len) {
  const unsigned mp = p.mpow;
  uint8_t* const* w = p.work;
  // work[0, mp) <- IFFT of the first chunk of mp data shards.
  const unsigned first = p.k < mp ? p.k : mp;
  for (unsigned i = 0; i < first; ++i) std::memcpy(w[i], p.data[i] + off, len);
  for (unsigned i = first; i < mp; ++i) std::memset(w[i], 0, len);
  EngineIfft(w, 0, len, mp, first, p.skew, mp);
  // work[0, mp) ^= IFFT of every further chunk (at its own FFT positions).
  for (unsigned co = mp; co < p.k; co += mp) {
    const unsigned cnt = p.k - co < mp ? p.k - co : mp;
    uint8_t* const* t = w + mp;
    for (unsigned i = 0; i < cnt; ++i) std::memcpy(t[i], p.data[co + i] + off, len);
    for (unsigned i = cnt; i < mp; ++i) std::memset(t[i], 0, len);
    EngineIfft(t, 0, len, mp, cnt, p.skew, mp + co);
    for (unsigned i = 0; i < mp; ++i) XorBuf(w[i], t[i], len);
  }
  // Parity = FFT at positions [0, m).
  EngineFft(w, 0, len, mp, p.m, p.skew, 0);
  for (unsigned i = 0; i < p.m; ++i) std::memcpy(p.parity[i] + off, w[i], len);
}

// Decode of one column stripe: shard bytes [off, off + len); work buffers hold
// just this stripe.
static void EngineDecode(const DecodePlan& p, size_t off, size_t len) {
  uint8_t* const* w = p.work;
  const unsigned n = p.n;
  // work <- received symbols times the error locator (zero where erased).
  for (unsigned i = 0; i < p.in_count; ++i) {
    if (p.src[i] != nullptr) {
      MulBuf(w[i], p.src[i] + off, LoadConst(p.in_mul[i]), len);
    } else {
      std::memset(w[i], 0, len);
    }
  }
  for (unsigned i = p.in_count; i < n; ++i) std::memset(w[i], 0, len);
  EngineIfft(w, 0, len, n, p.in_count, p.skew, 0);
  // Formal derivative in the novel polynomial basis (Cantor basis: XOR only).
  for (unsigned i = 1; i < n; ++i) {
    const unsigned width = i & (0u - i);
    for (unsigned j = 0; j < width; ++j) XorBuf(w[i - width + j], w[i + j], len);
  }
  EngineFft(w, 0, len, n, p.out_count, p.skew, 0);
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

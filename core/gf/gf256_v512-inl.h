// core/gf/gf256_v512-inl.h — 512-bit vector primitives shared by the AVX-512 and GFNI
// GF(2^8) kernels. Textual header: include it INSIDE each ISA's own namespace (after
// `using V = simde__m512i;`), so every translation unit gets its own copy compiled with its
// own flags and the linker can never merge them across ISAs. No include guard on purpose.
inline V Load(const uint8_t* p) { return simde_mm512_loadu_si512(p); }
inline void Store(uint8_t* p, V v) { simde_mm512_storeu_si512(p, v); }
#if defined(SIMDE_X86_AVX512BW_NATIVE)
inline V LoadPartial(const uint8_t* p, size_t n) {
  return _mm512_maskz_loadu_epi8(_bzhi_u64(~uint64_t{0}, unsigned(n)), p);
}
inline void StorePartial(uint8_t* p, V v, size_t n) {
  _mm512_mask_storeu_epi8(p, _bzhi_u64(~uint64_t{0}, unsigned(n)), v);
}
#else
inline V LoadPartial(const uint8_t* p, size_t n) {
  alignas(64) uint8_t buf[64] = {};
  std::memcpy(buf, p, n);
  return Load(buf);
}
inline void StorePartial(uint8_t* p, V v, size_t n) {
  alignas(64) uint8_t buf[64];
  Store(buf, v);
  std::memcpy(p, buf, n);
}
#endif
inline V XorV(V a, V b) { return simde_mm512_xor_si512(a, b); }
inline V Xor3V(V a, V b, V c) { return simde_mm512_ternarylogic_epi64(a, b, c, 0x96); }

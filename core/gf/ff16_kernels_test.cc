// Tests for core/gf/ff16_kernels.h: the scalar kernels against the field, and
// every SIMD variant this CPU runs against the scalar kernels — sampled and
// edge coefficients, lengths 64..4096, buffers ending exactly at the end of
// their allocation (so ASan sees any over-read or over-write).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "core/cpu/cpu.h"
#include "core/gf/ff16_kernels.h"
#include "core/gf/gf65536.h"

namespace lumen::gf::ff16 {
namespace {

// A len-byte heap buffer with nothing after it.
struct Buf {
  explicit Buf(size_t n) : p(new uint8_t[n]), len(n) {}
  std::unique_ptr<uint8_t[]> p;
  size_t len;
  uint8_t* data() { return p.get(); }
};

uint16_t Elem(const uint8_t* b, size_t i) {
  const size_t blk = i / 32, j = i % 32;
  return uint16_t(b[blk * 64 + j] | (b[blk * 64 + 32 + j] << 8));
}

std::vector<uint16_t> Coefficients() {
  std::vector<uint16_t> cs = {0, 1, 2, 3, 0x8000, 0xFFFF, 0xFFFE, 0x00FF, 0xFF00, 0x1234};
  std::mt19937 rng(0xF16);
  for (int i = 0; i < 40; ++i) cs.push_back(uint16_t(rng()));
  return cs;
}

std::vector<size_t> Lengths() {
  std::vector<size_t> ls;
  for (size_t l = 64; l <= 1024; l += 64) ls.push_back(l);
  ls.push_back(1408);
  ls.push_back(4096);
  return ls;
}

void Fill(uint8_t* p, size_t n, std::mt19937& rng) {
  for (size_t i = 0; i < n; ++i) p[i] = uint8_t(rng());
}

TEST_CASE("Ff16Kernels.ScalarMatchesField") {
  const Kernels* k = KernelsFor(cpu::Isa::kScalar);
  REQUIRE(k != nullptr);
  std::mt19937 rng(1);
  for (uint16_t c : Coefficients()) {
    MulConst mc;
    PrepareMulConst(c, &mc);
    CHECK(mc.value == c);
    Buf in(256), out(256);
    Fill(in.data(), 256, rng);
    k->mul_buf(out.data(), in.data(), mc, 256);
    for (size_t i = 0; i < 128; ++i) {
      if (Elem(out.data(), i) != gf65536_cantor::Mul(c, Elem(in.data(), i))) {
        FAIL_CHECK("scalar mul wrong c=" << c << " i=" << i);
        return;
      }
    }
  }
}

TEST_CASE("Ff16Kernels.PreparedBasisIsProductTable") {
  for (uint16_t c : Coefficients()) {
    MulConst mc;
    PrepareMulConst(c, &mc);
    for (int j = 0; j < 16; ++j) CHECK(mc.basis[j] == gf65536_cantor::Mul(c, uint16_t(1u << j)));
  }
}

TEST_CASE("Ff16Kernels.EverySimdVariantMatchesScalar") {
  const Kernels* ref = KernelsFor(cpu::Isa::kScalar);
  REQUIRE(ref != nullptr);
  int tested = 0;
  for (int isa = 1; isa <= static_cast<int>(cpu::Isa::kGfni); ++isa) {
    const Kernels* k = KernelsFor(static_cast<cpu::Isa>(isa));
    if (k == nullptr) continue;
    ++tested;
    CAPTURE(k->name);
    std::mt19937 rng(uint32_t(100 + isa));
    for (uint16_t c : Coefficients()) {
      MulConst mc;
      PrepareMulConst(c, &mc);
      for (size_t len : Lengths()) {
        CAPTURE(c);
        CAPTURE(len);
        Buf x(len), y(len), x2(len), y2(len), o(len), o2(len);
        Fill(x.data(), len, rng);
        Fill(y.data(), len, rng);
        // mul
        k->mul_buf(o.data(), x.data(), mc, len);
        ref->mul_buf(o2.data(), x.data(), mc, len);
        REQUIRE(std::memcmp(o.data(), o2.data(), len) == 0);
        // fft2
        std::memcpy(x2.data(), x.data(), len);
        std::memcpy(y2.data(), y.data(), len);
        k->fft2(x.data(), y.data(), mc, len);
        ref->fft2(x2.data(), y2.data(), mc, len);
        REQUIRE(std::memcmp(x.data(), x2.data(), len) == 0);
        REQUIRE(std::memcmp(y.data(), y2.data(), len) == 0);
        // ifft2 undoes fft2
        k->ifft2(x.data(), y.data(), mc, len);
        ref->ifft2(x2.data(), y2.data(), mc, len);
        REQUIRE(std::memcmp(x.data(), x2.data(), len) == 0);
        REQUIRE(std::memcmp(y.data(), y2.data(), len) == 0);
        // xor
        k->xor_buf(x.data(), y.data(), len);
        ref->xor_buf(x2.data(), y2.data(), len);
        REQUIRE(std::memcmp(x.data(), x2.data(), len) == 0);
      }
    }
  }
  MESSAGE("SIMD variants tested on this CPU: " << tested);
}

TEST_CASE("Ff16Kernels.Fft2AndIfft2AreInverse") {
  const Kernels* k = KernelsFor(cpu::Isa::kScalar);
  std::mt19937 rng(7);
  for (uint16_t c : Coefficients()) {
    MulConst mc;
    PrepareMulConst(c, &mc);
    Buf x(128), y(128);
    Fill(x.data(), 128, rng);
    Fill(y.data(), 128, rng);
    std::vector<uint8_t> x0(x.data(), x.data() + 128), y0(y.data(), y.data() + 128);
    k->fft2(x.data(), y.data(), mc, 128);
    k->ifft2(x.data(), y.data(), mc, 128);
    CHECK(std::memcmp(x.data(), x0.data(), 128) == 0);
    CHECK(std::memcmp(y.data(), y0.data(), 128) == 0);
  }
}

TEST_CASE("Ff16Kernels.SelectHonoursForcedIsa") {
  cpu::ForceMaxIsa(cpu::Isa::kScalar);
  CHECK(SelectKernels().isa == cpu::Isa::kScalar);
  cpu::ResetForcedIsa();
  CHECK(static_cast<int>(SelectKernels().isa) <= static_cast<int>(cpu::HostBestIsa()));
}

}  // namespace
}  // namespace lumen::gf::ff16

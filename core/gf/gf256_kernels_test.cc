// Every GF(2^8) kernel variant the CPU supports, checked against the field's
// byte multiply (and so against the scalar reference): all 256 coefficients,
// lengths around every vector width, unaligned starts, and buffers that end
// exactly at the end of their heap allocation (so ASan sees any over-read).
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/cpu/cpu.h"
#include "core/gf/gf256.h"
#include "core/gf/gf256_kernels.h"

namespace lumen::gf {
namespace {

constexpr size_t kLengths[] = {0,  1,  2,  3,  7,  15, 16,  17,  31,  32,  33,  47,  63,
                               64, 65, 95, 127, 128, 129, 191, 192, 193, 255, 256, 1392, 1407};

// A len-byte region that starts `skew` bytes into its own allocation and ends
// exactly at the allocation's end.
struct Region {
  Region(size_t len, size_t skew) : mem(new uint8_t[len + skew]), p(mem.get() + skew) {}
  std::unique_ptr<uint8_t[]> mem;
  uint8_t* p;
};

std::vector<const Gf256Kernels*> Variants() {
  std::vector<const Gf256Kernels*> out;
  for (int i = 0; i <= static_cast<int>(cpu::Isa::kGfni); ++i) {
    if (const Gf256Kernels* k = Gf256KernelsFor(static_cast<cpu::Isa>(i))) out.push_back(k);
  }
  return out;
}

TEST_CASE("Gf256Kernels.VariantsAvailable") {
  const auto v = Variants();
  REQUIRE(!v.empty());
  CHECK(v.front()->isa == cpu::Isa::kScalar);
  for (const auto* k : v) MESSAGE("kernel variant available: " << std::string(k->name));
  // Dispatch honours the forced cap.
  cpu::ForceMaxIsa(cpu::Isa::kScalar);
  CHECK(SelectGf256Kernels().isa == cpu::Isa::kScalar);
  cpu::ResetForcedIsa();
  CHECK(SelectGf256Kernels().isa == cpu::HostBestIsa());
}

TEST_CASE("Gf256Kernels.MulMulAddXorAllCoefficients") {
  std::mt19937 rng(1234);
  for (const Gf256Kernels* kern : Variants()) {
    const std::string variant = kern->name;
    CAPTURE(variant);
    for (size_t len : kLengths) {
      for (size_t skew : {size_t{0}, size_t{1}, size_t{3}}) {
        Region src(len, skew), dst(len, (skew + 1) % 4), acc(len, skew);
        for (size_t b = 0; b < len; ++b) src.p[b] = uint8_t(rng());
        for (size_t b = 0; b < len; ++b) acc.p[b] = uint8_t(rng());
        std::vector<uint8_t> acc0(acc.p, acc.p + len);
        for (int c = 0; c < 256; ++c) {
          kern->mul(dst.p, src.p, uint8_t(c), len);
          kern->mul_add(acc.p, src.p, uint8_t(c), len);
          for (size_t b = 0; b < len; ++b) {
            const uint8_t want = Gf256::Mul(uint8_t(c), src.p[b]);
            acc0[b] ^= want;
            if (dst.p[b] != want || acc.p[b] != acc0[b]) {
              FAIL_CHECK("mismatch c=" << c << " len=" << len << " skew=" << skew << " b=" << b);
              return;
            }
          }
        }
        kern->xor_into(acc.p, src.p, len);
        for (size_t b = 0; b < len; ++b) acc0[b] ^= src.p[b];
        CHECK((len == 0 || std::memcmp(acc.p, acc0.data(), len) == 0));
      }
    }
  }
}

TEST_CASE("Gf256Kernels.DotMatchesReference") {
  std::mt19937 rng(99);
  struct Shape {
    int k, m;
  };
  const Shape shapes[] = {{1, 1},  {1, 7},  {2, 2},  {3, 2},  {4, 2},  {5, 13}, {7, 3},
                          {10, 4}, {16, 8}, {17, 9}, {20, 17}, {40, 8}, {24, 33}, {204, 51},
                          {1, 254}, {254, 1}};
  for (const Gf256Kernels* kern : Variants()) {
    const std::string variant = kern->name;
    CAPTURE(variant);
    for (const Shape& s : shapes) {
      for (size_t len : {size_t{1}, size_t{5}, size_t{40}, size_t{64}, size_t{100}, size_t{240},
                         size_t{1392}}) {
        if (size_t(s.k + s.m) * len > 400000) continue;
        CAPTURE(s.k);
        CAPTURE(s.m);
        CAPTURE(len);
        std::vector<uint8_t> coeffs(size_t(s.k) * s.m);
        for (auto& c : coeffs) {
          const uint32_t r = rng();
          c = (r & 7) == 0 ? 0 : (r & 7) == 1 ? 1 : uint8_t(r >> 8);
        }
        std::vector<std::unique_ptr<Region>> in, out;
        std::vector<const uint8_t*> ip;
        std::vector<uint8_t*> op;
        for (int i = 0; i < s.k; ++i) {
          in.push_back(std::make_unique<Region>(len, size_t(i % 3)));
          for (size_t b = 0; b < len; ++b) in.back()->p[b] = uint8_t(rng());
          ip.push_back(in.back()->p);
        }
        for (int j = 0; j < s.m; ++j) {
          out.push_back(std::make_unique<Region>(len, size_t(j % 5)));
          std::memset(out.back()->p, 0xCC, len);  // must be overwritten, not accumulated
          op.push_back(out.back()->p);
        }
        kern->dot(coeffs.data(), ip.data(), s.k, op.data(), s.m, len);
        bool ok = true;
        for (int j = 0; j < s.m && ok; ++j) {
          for (size_t b = 0; b < len && ok; ++b) {
            uint8_t want = 0;
            for (int i = 0; i < s.k; ++i) want ^= Gf256::Mul(coeffs[size_t(j) * s.k + i], ip[i][b]);
            if (op[j][b] != want) {
              FAIL_CHECK("dot mismatch output " << j << " byte " << b);
              ok = false;
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace lumen::gf

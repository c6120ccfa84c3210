// core/fec/rs_fft16.cc — parameter checks, plans and column striping for the
// GF(2^16) additive-FFT Reed-Solomon codec (see rs_fft16.h for the algorithm).
#include "core/fec/rs_fft16.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/cpu/cpu.h"
#include "core/fec/detail/fft16_tables.h"
#include "core/gf/gf65536.h"

namespace lumen::fec {
namespace {

using gf::ff16::Kernels;
using gf::ff16::MulConst;
using gf::ff16::PrepareMulConst;

// Target bytes of FFT working set per column stripe (Zen 4: 1 MiB L2 per core).
// Both fill L2: measured on Zen 4, a 512 KiB encode budget (W3 in two stripes
// instead of one) was slower, and halving the decode budget did not help.
// Stripes never go below 4 blocks of 64 bytes.
constexpr size_t kEncodeBudget = 1024 * 1024;
constexpr size_t kDecodeBudget = 1024 * 1024;
constexpr size_t kMinStripe = 256;

uint32_t NextPow2(uint32_t v) {
  uint32_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

}  // namespace

void Rs16::FreeDeleter::operator()(uint8_t* p) const noexcept { std::free(p); }

Status Rs16::Init(uint32_t k, uint32_t m, size_t max_len) {
  if (k < 1 || m < 1 || uint64_t{k} + m > kMaxShards || max_len == 0 ||
      max_len % kShardAlign != 0) {
    return Status::kInvalidArgument;
  }
  const uint32_t mpow = NextPow2(m);
  const bool wide = uint64_t{mpow} + k > 65536;
  const uint32_t n = wide ? 65536 : NextPow2(mpow + k);
  auto stripe_for = [&](size_t budget, size_t points) {
    const size_t s = (budget / points) & ~(kShardAlign - 1);
    return std::min(std::max(s, kMinStripe), max_len);
  };
  const size_t dec_stripe = stripe_for(kDecodeBudget, n);
  const size_t enc_stripe = stripe_for(kEncodeBudget, 2 * size_t{mpow});
  const size_t bytes = std::max(size_t{n} * dec_stripe, 2 * size_t{mpow} * enc_stripe);
  uint8_t* mem = static_cast<uint8_t*>(std::aligned_alloc(64, bytes));
  uint8_t* zero = static_cast<uint8_t*>(std::aligned_alloc(64, std::max(enc_stripe, dec_stripe)));
  if (mem == nullptr || zero == nullptr) {
    std::free(mem);
    std::free(zero);
    return Status::kInvalidArgument;
  }
  std::memset(zero, 0, std::max(enc_stripe, dec_stripe));
  work_mem_.reset(mem);
  zero_.reset(zero);
  work_.resize(n);
  for (uint32_t i = 0; i < n; ++i) work_[i] = mem + size_t{i} * dec_stripe;
  enc_work_.resize(2 * size_t{mpow});
  for (uint32_t i = 0; i < 2 * mpow; ++i) enc_work_[i] = mem + size_t{i} * enc_stripe;
  enc_in_.assign(mpow, nullptr);
  enc_out_.assign(mpow, nullptr);
  dec_in_.assign(n, nullptr);

  const uint16_t* skew = detail::FftSkew();
  skew_.assign(n, MulConst{});
  PrepareMulConst(0, &skew_[0]);
  for (uint32_t j = 1; j < n; ++j) PrepareMulConst(skew[j - 1], &skew_[j]);
  log_walsh_.assign(n, 0);
  detail::LogWalsh(n, log_walsh_.data());

  erased_.assign(n, 0);
  loc_.assign(n, 0);
  src_.assign(n, nullptr);
  in_mul_.assign(n, MulConst{});
  const uint32_t max_out = std::max(k, m);
  out_pos_.assign(max_out, 0);
  out_dst_.assign(max_out, nullptr);
  out_mul_.assign(max_out, MulConst{});
  need_.assign(size_t{n} + 1, 0);
  cached_erased_.assign(n, 0);
  cached_mode_ = -1;

  k_ = k;
  m_ = m;
  max_len_ = max_len;
  mpow_ = mpow;
  n_ = n;
  wide_ = wide;
  data_pos_ = wide ? m : mpow;
  enc_stripe_ = enc_stripe;
  dec_stripe_ = dec_stripe;
  return Status::kOk;
}

Status Rs16::Encode(const uint8_t* const* data, uint8_t* const* parity, size_t len) noexcept {
  if (n_ == 0 || data == nullptr || parity == nullptr || len % kShardAlign != 0 ||
      len > max_len_) {
    return Status::kInvalidArgument;
  }
  for (uint32_t i = 0; i < k_; ++i)
    if (data[i] == nullptr) return Status::kInvalidArgument;
  for (uint32_t i = 0; i < m_; ++i)
    if (parity[i] == nullptr) return Status::kInvalidArgument;
  if (len == 0) return Status::kOk;
  const Kernels& kr = gf::ff16::SelectKernels();

  if (!wide_) {
    gf::ff16::EncodePlan plan;
    plan.k = k_;
    plan.m = m_;
    plan.mpow = mpow_;
    plan.data = data;
    plan.parity = parity;
    plan.work = enc_work_.data();
    plan.skew = skew_.data();
    plan.zero = zero_.get();
    plan.in_scratch = enc_in_.data();
    plan.out_scratch = enc_out_.data();
    for (size_t off = 0; off < len; off += enc_stripe_)
      kr.encode(plan, off, std::min(enc_stripe_, len - off));
    return Status::kOk;
  }
  // Wide mode: parity = the decoder's reconstruction of erased positions [0, m).
  std::fill(erased_.begin(), erased_.end(), 0);
  std::fill(src_.begin(), src_.end(), nullptr);
  for (uint32_t j = 0; j < m_; ++j) erased_[j] = 1;
  for (uint32_t p = m_ + k_; p < n_; ++p) erased_[p] = 1;
  for (uint32_t i = 0; i < k_; ++i) src_[data_pos_ + i] = data[i];
  for (uint32_t j = 0; j < m_; ++j) {
    out_pos_[j] = j;
    out_dst_[j] = parity[j];
  }
  num_out_ = m_;
  return RunDecode(kr, len, 1);
}

Status Rs16::Decode(uint8_t* const* shards, const uint8_t* missing, size_t len) noexcept {
  if (n_ == 0 || shards == nullptr || missing == nullptr || len % kShardAlign != 0 ||
      len > max_len_) {
    return Status::kInvalidArgument;
  }
  uint32_t lost = 0, lost_data = 0;
  for (uint32_t i = 0; i < k_ + m_; ++i) {
    if (shards[i] == nullptr) return Status::kInvalidArgument;
    if (missing[i]) {
      ++lost;
      if (i < k_) ++lost_data;
    }
  }
  if (lost > m_) return Status::kTooFewShards;
  if (lost_data == 0 || len == 0) return Status::kOk;

  std::fill(erased_.begin(), erased_.end(), 0);
  std::fill(src_.begin(), src_.end(), nullptr);
  if (wide_) {
    for (uint32_t p = m_ + k_; p < n_; ++p) erased_[p] = 1;
  } else {
    for (uint32_t p = m_; p < mpow_; ++p) erased_[p] = 1;
  }
  uint32_t outs = 0;
  for (uint32_t j = 0; j < m_; ++j) {
    if (missing[k_ + j]) {
      erased_[j] = 1;
    } else {
      src_[j] = shards[k_ + j];
    }
  }
  for (uint32_t i = 0; i < k_; ++i) {
    const uint32_t pos = data_pos_ + i;
    if (missing[i]) {
      erased_[pos] = 1;
      out_pos_[outs] = pos;
      out_dst_[outs] = shards[i];
      ++outs;
    } else {
      src_[pos] = shards[i];
    }
  }
  num_out_ = outs;
  return RunDecode(gf::ff16::SelectKernels(), len, 0);
}

Status Rs16::RunDecode(const Kernels& kr, size_t len, int mode) noexcept {
  const uint32_t in_count = data_pos_ + k_;
  if (mode != cached_mode_ || erased_ != cached_erased_) {
    detail::LocatorLogs(erased_.data(), log_walsh_.data(), n_, loc_.data());
    const uint16_t* cexp = gf::gf65536_detail::GetTables().cexp;
    for (uint32_t p = 0; p < in_count; ++p)
      if (src_[p] != nullptr) PrepareMulConst(cexp[loc_[p]], &in_mul_[p]);
    uint32_t out_count = 0;
    for (uint32_t j = 0; j < num_out_; ++j) {
      const uint32_t pos = out_pos_[j];
      PrepareMulConst(cexp[gf::gf65536_detail::kModulus - loc_[pos]], &out_mul_[j]);
      out_count = std::max(out_count, pos + 1);
    }
    // Prefix counts of the revealed positions: the final FFT prunes to them.
    std::fill(need_.begin(), need_.end(), 0);
    for (uint32_t j = 0; j < num_out_; ++j) need_[out_pos_[j] + 1] = 1;
    for (uint32_t i = 0; i < n_; ++i) need_[i + 1] += need_[i];
    cached_erased_ = erased_;  // same size: no allocation
    cached_mode_ = mode;
    cached_out_count_ = out_count;
  }
  const uint32_t out_count = cached_out_count_;
  gf::ff16::DecodePlan plan;
  plan.n = n_;
  plan.in_count = in_count;
  plan.out_count = out_count;
  plan.need = need_.data();
  plan.src = src_.data();
  plan.in_mul = in_mul_.data();
  plan.work = work_.data();
  plan.skew = skew_.data();
  plan.num_out = num_out_;
  plan.out_pos = out_pos_.data();
  plan.out_dst = out_dst_.data();
  plan.out_mul = out_mul_.data();
  plan.zero = zero_.get();
  plan.in_scratch = dec_in_.data();
  for (size_t off = 0; off < len; off += dec_stripe_)
    kr.decode(plan, off, std::min(dec_stripe_, len - off));
  return Status::kOk;
}

}  // namespace lumen::fec

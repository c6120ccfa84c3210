// host/encode/encode_service.cc — see encode_service.h.
#include "host/encode/encode_service.h"

#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "host/common/clock.h"
#include "host/common/frame_desc.h"

namespace lumen::encode {
namespace {
void Log(const std::string& msg) { std::fprintf(stderr, "lumen-encode: %s\n", msg.c_str()); }
}  // namespace

EncodeService::EncodeService(host::ShmRing* raw, host::ShmRing* au, host::ShmRing* control,
                             const EncodeServiceConfig& config)
    : au_ring_(au), raw_(raw), au_(au), config_(config) {
  if (control != nullptr) control_ = std::make_unique<host::RingConsumer>(control);
}

EncodeService::~EncodeService() = default;

absl::Status EncodeService::Init() {
  auto enc = VideoEncoder::Create(config_.encoder);
  if (!enc.ok()) return enc.status();
  encoder_ = std::move(*enc);
  Log(absl::StrCat("encoder ", encoder_->encoder_name(), " ", encoder_->width(), "x",
                   encoder_->height(), " @ ", config_.encoder.bitrate_kbps, " kbps",
                   encoder_->fallback_reason().empty()
                       ? ""
                       : absl::StrCat(" (NVENC fallback: ", encoder_->fallback_reason(), ")")));
  encoder_->RequestIdr();  // every life starts with an IDR
  return absl::OkStatus();
}

void EncodeService::ApplyControl() {
  if (!control_) return;
  while (auto slot = control_->TryAcquire()) {
    const host::ControlMessage m = slot->As<host::ControlMessage>();
    control_->Release(*slot);
    ++stats_.control_messages;
    switch (m.type) {
      case host::ControlType::kRequestIdr:
      case host::ControlType::kInvalidateRefs:  // no RFI support: an IDR is always acceptable
        encoder_->RequestIdr();
        idr_pending_answer_ = true;
        ++stats_.idr_requests;
        break;
      case host::ControlType::kSetBitrate:
        if (m.bitrate_kbps > 0) {
          (void)encoder_->SetBitrate(int(m.bitrate_kbps));
          Log(absl::StrCat("bitrate -> ", m.bitrate_kbps, " kbps"));
        }
        break;
      case host::ControlType::kSetResolution:
        // Capture follows (the supervisor restarts it); the encoder re-opens on the first
        // frame of the new size.
        Log(absl::StrCat("resolution -> ", m.width, "x", m.height, " (follows the frames)"));
        break;
      case host::ControlType::kSetFps:
        break;
      default:
        break;
    }
  }
}

absl::StatusOr<bool> EncodeService::Step() {
  ApplyControl();
  auto raw = raw_.AcquireLatest(config_.poll_ns);
  if (!raw) return false;
  const uint64_t start = host::MonotonicNs();
  const host::RawFrameDesc d = raw->As<host::RawFrameDesc>();
  ++stats_.frames_in;
  RawFrame f;
  if (d.payload_offset > raw->payload.size() ||
      d.payload_len > raw->payload.size() - d.payload_offset) {
    raw_.Release(*raw);
    ++stats_.encode_errors;
    return absl::DataLossError("raw frame descriptor points outside its slot");
  }
  f.data = raw->payload.data() + d.payload_offset;
  f.len = d.payload_len;
  f.width = int(d.width);
  f.height = int(d.height);
  f.stride = int(d.stride);
  f.format = d.format;
  f.pts = int64_t(d.frame_id);
  const int k = int(d.frame_id % kTsRing);
  ts_ids_[k] = d.frame_id;
  ts_vals_[k] = d.capture_ts_ns;
  if (after_loss_) encoder_->RequestIdr();
  AccessUnit au;
  absl::Status st = encoder_->Encode(f, &au);
  raw_.Release(*raw);
  // The pixel conversion inside Encode() is lumen's work, not the encoder's: count it
  // before the encoder's start (see encode_service.h).
  start_ts_[k] = start + encoder_->last_convert_ns();
  if (!st.ok()) {
    ++stats_.encode_errors;
    if (++consecutive_errors_ >= config_.max_consecutive_errors) return st;
    Log("encode failed: " + std::string(st.message()));
    return false;
  }
  consecutive_errors_ = 0;
  if (au.data.empty()) return true;  // the encoder holds this frame back (SVT-AV1 start)

  auto slot = au_.BeginWrite(config_.au_wait_ns);
  if (!slot || au.data.size() > slot->payload.size()) {
    if (slot) au_.Abort(*slot);
    ++stats_.aus_skipped;
    after_loss_ = true;
    encoder_->RequestIdr();
    return true;
  }
  std::memcpy(slot->payload.data(), au.data.data(), au.data.size());
  host::AccessUnitDesc a{};
  const uint64_t id = uint64_t(au.pts);
  const int ka = int(id % kTsRing);
  a.frame_id = id;
  a.capture_ts_ns = ts_ids_[ka] == id ? ts_vals_[ka] : d.capture_ts_ns;
  a.encode_start_ts_ns = ts_ids_[ka] == id ? start_ts_[ka] : start_ts_[k];
  a.encode_done_ts_ns = host::MonotonicNs();
  a.is_idr = au.keyframe ? 1 : 0;
  a.codec = config_.encoder.codec;
  a.len = uint32_t(au.data.size());
  a.width = uint32_t(au.width);
  a.height = uint32_t(au.height);
  a.flags = 0;
  if (after_loss_ && au.keyframe) {
    a.flags |= host::kAuAfterLoss;
    after_loss_ = false;
  }
  if (idr_pending_answer_ && au.keyframe) {
    a.flags |= host::kAuAnswersIdrRequest;
    idr_pending_answer_ = false;
  }
  a.encoder_seq = ++stats_.aus_out;
  a.encoder_epoch = au_ring_->header()->producer_epoch.load(std::memory_order_relaxed);
  if (au.keyframe) ++stats_.idrs;
  au_.Commit(*slot, a, au.data.size());
  return true;
}

absl::Status EncodeService::Run(const std::function<bool()>& should_stop) {
  while (!should_stop()) {
    auto r = Step();
    if (!r.ok()) return r.status();
  }
  return absl::OkStatus();
}

}  // namespace lumen::encode

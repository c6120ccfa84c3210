// host/encode/encode_service.h — the body of lumen-encode as a library: raw frames from
// the capture ring -> VideoEncoder -> access units into the transport ring, obeying
// control messages (IDR / RFI, bitrate) from the transport.
//
// Per docs/architecture.md: every encoder life starts with an IDR; frames are taken with
// AcquireLatest (never encode a stale frame when behind); AUs are never dropped silently:
// when the AU ring stays full for au_wait_ns, or an AU is larger than a slot, the AU is
// skipped, the next AU is forced to be an IDR and carries kAuAfterLoss.
// AccessUnitDesc.frame_id / capture_ts_ns come from the raw frame the AU encodes;
// encoder_epoch is the AU ring's producer_epoch. encode_start_ts_ns is the pick-up time
// plus the time VideoEncoder spent converting or copying the pixels into its input
// picture, so that encode_done - encode_start is the encoder's own time and lumen's own
// pixel work counts as host overhead (capture -> encoder) in `lumen demo`. With an I420
// raw ring (lumen-capture's default) and x264/x265 there is none: the slot's planes go
// to the encoder as they are, and the slot is released after Encode() returns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "host/common/shm_ring.h"
#include "host/encode/video_encoder.h"

namespace lumen::encode {

struct EncodeServiceConfig {
  EncoderConfig encoder;
  int64_t au_wait_ns = 20'000'000;   // how long to wait for AU-ring space
  int64_t poll_ns = 50'000'000;      // raw-frame wait per loop turn (stop checks)
  int max_consecutive_errors = 30;   // then Run() returns the error (supervisor restarts)
};

struct EncodeServiceStats {
  uint64_t frames_in = 0;
  uint64_t aus_out = 0;
  uint64_t idrs = 0;
  uint64_t aus_skipped = 0;      // AU ring full or AU too big
  uint64_t encode_errors = 0;
  uint64_t control_messages = 0;
  uint64_t idr_requests = 0;
};

class EncodeService {
 public:
  // Rings must outlive the service. `control` may be null.
  EncodeService(host::ShmRing* raw, host::ShmRing* au, host::ShmRing* control,
                const EncodeServiceConfig& config);
  ~EncodeService();

  // Opens the encoder (software fallback from NVENC happens here).
  absl::Status Init();

  // One loop turn: applies pending control messages, waits up to poll_ns for a raw
  // frame, encodes it, publishes the AU. Returns true if a frame was encoded.
  absl::StatusOr<bool> Step();

  // Steps until should_stop() returns true. Returns the error that ended it, if any.
  absl::Status Run(const std::function<bool()>& should_stop);

  const EncodeServiceStats& stats() const { return stats_; }
  VideoEncoder* encoder() { return encoder_.get(); }

 private:
  void ApplyControl();

  host::ShmRing* au_ring_;
  host::RingConsumer raw_;
  host::RingProducer au_;
  std::unique_ptr<host::RingConsumer> control_;
  EncodeServiceConfig config_;
  std::unique_ptr<VideoEncoder> encoder_;
  EncodeServiceStats stats_;
  bool after_loss_ = false;
  bool idr_pending_answer_ = false;
  int consecutive_errors_ = 0;
  // pts (frame id) -> capture time for encoders that emit AUs a few frames late.
  static constexpr int kTsRing = 64;
  uint64_t ts_ids_[kTsRing] = {};
  uint64_t ts_vals_[kTsRing] = {};
  uint64_t start_ts_[kTsRing] = {};
};

}  // namespace lumen::encode

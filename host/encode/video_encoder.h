// host/encode/video_encoder.h — lumen's video encoder: raw frames in, one access unit out
// per frame, through FFmpeg's libavcodec.
//
// Backends: software libx264 (default; ultrafast + zerolatency), libx265 and libsvtav1;
// NVENC (h264_nvenc / hevc_nvenc) through CUDA hwframes when asked for and a GPU is
// present. NVENC is never on the default path: if CUDA or NVENC fails to open, or fails
// mid-stream, the encoder falls back to the software encoder of the same codec at run time
// and records (and logs) why — fallback_reason(). libcuda is loaded by FFmpeg at run time;
// nothing here links it.
//
// Low-latency contract: no B-frames, no lookahead, one access unit per input frame
// (libsvtav1 in low-delay mode may hold the very first frames; Encode then returns an
// empty AU), in-band parameter sets on every IDR, no periodic keyframes unless asked
// (gop_frames). RequestIdr(), SetBitrate() and a change of input size take effect on the
// next Encode() without losing the stream (a size change re-opens the encoder: an IDR).
// FFmpeg's own logging is quiet unless LUMEN_FFMPEG_DEBUG is set in the environment.
//
// Thread-safety: one thread per VideoEncoder.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "host/common/frame_desc.h"

namespace lumen::encode {

using host::Codec;
using host::PixelFormat;

struct EncoderConfig {
  Codec codec = Codec::kH264;
  bool nvenc = false;      // try NVENC (CUDA) first; software fallback on any failure
  int width = 1280;        // initial size; frames of another size re-open the encoder
  int height = 720;
  int fps = 60;
  int bitrate_kbps = 10000;
  int threads = 0;         // encoder threads; 0 = the CPUs this process may use, at most 8
  int gop_frames = 0;      // periodic keyframe interval; 0 = only on start / RequestIdr
  int svtav1_preset = 12;  // libsvtav1 speed preset (12 = fastest)
};

// One raw frame. Pixels stay owned by the caller for the duration of Encode(). I420:
// Y (stride bytes per row), then U and V (stride / 2 per row, ceil(height / 2) rows each);
// NV12: Y, then interleaved UV (stride per row). I420 into the software x264/x265 encoders
// is not copied: the planes are handed over as they are (the encoder copies them into
// its own picture inside its encode call).
struct RawFrame {
  const uint8_t* data = nullptr;
  size_t len = 0;
  int width = 0;
  int height = 0;
  int stride = 0;  // bytes per row of the first plane
  PixelFormat format = PixelFormat::kBgrx;
  int64_t pts = 0;  // any monotonically increasing count (frame id)
};

struct AccessUnit {
  std::vector<uint8_t> data;  // Annex-B (H.264/HEVC) or AV1 OBUs (temporal unit)
  bool keyframe = false;
  int64_t pts = 0;
  int width = 0;
  int height = 0;
};

class VideoEncoder {
 public:
  // Opens the encoder. With config.nvenc, NVENC failures fall back to software (OK
  // status); an error is returned only if the software encoder cannot open either, or
  // the config is invalid (InvalidArgument).
  static absl::StatusOr<std::unique_ptr<VideoEncoder>> Create(const EncoderConfig& config);
  ~VideoEncoder();
  VideoEncoder(const VideoEncoder&) = delete;
  VideoEncoder& operator=(const VideoEncoder&) = delete;

  // Encodes one frame into *out (replacing its contents). Frames whose size differs from
  // the current one re-open the encoder at the new size (the AU is then an IDR). Odd
  // sizes are cropped to even. Errors: InvalidArgument (bad frame), Internal (the
  // software encoder failed; NVENC failures fall back instead).
  absl::Status Encode(const RawFrame& frame, AccessUnit* out);

  // The next Encode() produces an IDR / key frame.
  void RequestIdr() { idr_requested_ = true; }

  // Changes the target bitrate from the next frame (x264 reconfigures in place; other
  // encoders re-open, which costs an IDR). InvalidArgument for kbps <= 0.
  absl::Status SetBitrate(int kbps);

  // The libavcodec encoder in use: "libx264", "hevc_nvenc", ...
  const std::string& encoder_name() const { return encoder_name_; }
  bool hardware() const { return hardware_; }
  // Why NVENC was abandoned (empty if it was not asked for or is still in use).
  const std::string& fallback_reason() const { return fallback_reason_; }
  int width() const { return width_; }
  int height() const { return height_; }
  int bitrate_kbps() const { return config_.bitrate_kbps; }
  uint64_t frames_encoded() const { return frames_encoded_; }
  // Nanoseconds the last Encode() spent converting/copying the caller's pixels into the
  // encoder's input picture (lumen's own work, not the encoder's; see encode_service.h);
  // 0 when I420 planes were handed over without a copy.
  uint64_t last_convert_ns() const { return last_convert_ns_; }

 // Implementation detail (an open libavcodec session); opaque to callers.
  struct Session;

 private:
  explicit VideoEncoder(const EncoderConfig& config);
  absl::Status Open(bool hardware, int width, int height);
  absl::Status FallBackToSoftware(const std::string& why);
  absl::Status EncodeOnce(const RawFrame& frame, AccessUnit* out);

  EncoderConfig config_;
  std::unique_ptr<Session> session_;
  std::string encoder_name_;
  std::string fallback_reason_;
  bool hardware_ = false;
  bool idr_requested_ = true;
  bool bitrate_dirty_ = false;
  int width_ = 0;
  int height_ = 0;
  uint64_t frames_encoded_ = 0;
  uint64_t last_convert_ns_ = 0;
};

// libavcodec encoder names for a codec: software and NVENC.
const char* SoftwareEncoderName(Codec codec);
const char* NvencEncoderName(Codec codec);  // "av1_nvenc" for AV1 (absent in FFmpeg 5.1)

// What this machine can really produce, for the Moonlight host's ServerCodecModeSupport:
// tries opening each encoder once (a small frame size; NVENC only when probe_nvenc).
struct CodecSupport {
  bool h264 = false;
  bool hevc = false;
  bool av1 = false;
  bool h264_nvenc = false;
  bool hevc_nvenc = false;
  bool av1_nvenc = false;
};
CodecSupport ProbeEncoders(bool probe_nvenc = true);

// Installs FFmpeg's log level from LUMEN_FFMPEG_DEBUG (set: AV_LOG_DEBUG; unset:
// AV_LOG_QUIET). Called by Create(); idempotent.
void ConfigureFfmpegLogging();

}  // namespace lumen::encode

// The in-process Moonlight video stream: a frame source (the lumen test pattern, with a
// machine-readable frame stamp) -> the encoder configured from the ANNOUNCE (codec,
// resolution, fps, bitrate; host/encode) -> Moonlight packetizer + UDP with ping
// learning (host/transport VideoTransport). Nothing is encoded until the client's first
// video ping arrives, so the first frame sent is an IDR; IDR requests from the control
// stream go to the encoder.
//
// `lumen serve` runs the video path in-process: the pattern (--video=pattern) or a
// FrameProvider fed by a desktop capture (host/moonlight/serve/desktop_video.h), whose
// newest picture is encoded at the session's frame rate (repeated while the desktop is
// idle: mutter only sends frames on damage).
//
// Threading: one encode/send thread; public methods are thread-safe.
#ifndef LUMEN_HOST_MOONLIGHT_STREAM_VIDEO_STREAM_H_
#define LUMEN_HOST_MOONLIGHT_STREAM_VIDEO_STREAM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "host/encode/video_encoder.h"
#include "host/moonlight/rtsp/launch_session.h"
#include "host/moonlight/rtsp/stream_config.h"

namespace lumen::moonlight::stream {

// Pictures for the stream from somewhere other than the test pattern. Thread-safe.
class FrameProvider {
 public:
  virtual ~FrameProvider() = default;
  // The newest picture's generation (0: none has arrived yet). When it differs from
  // `have`, copies that picture into *pixels and describes it in *frame (frame->data is
  // left for the caller to point at pixels->data()).
  virtual uint64_t Latest(uint64_t have, std::vector<uint8_t>* pixels,
                          encode::RawFrame* frame) = 0;
};

struct VideoStreamOptions {
  std::string bind = "0.0.0.0:47998";
  bool nvenc = false;  // try NVENC first (falls back to software)
  std::shared_ptr<FrameProvider> frames;  // null: the lumen test pattern
};

struct VideoStreamStats {
  uint64_t frames_encoded = 0;
  uint64_t frames_sent = 0;
  uint64_t idr_frames = 0;
  uint64_t idr_requests = 0;
  uint64_t datagrams = 0;
  uint64_t pings = 0;
  uint64_t encode_errors = 0;
  std::string encoder;
  std::string framing;  // "moonlight", or "lumen/<aead>" when negotiated
};

// "video[<encoder> <framing>] encoded N sent N idr N datagrams N pings N encode errors N":
// the video part of `lumen serve`'s session stats line.
std::string FormatVideoStreamStats(const VideoStreamStats& v);

class VideoStream {
 public:
  static absl::StatusOr<std::unique_ptr<VideoStream>> Start(const VideoStreamOptions& options,
                                                            const LaunchSession& launch,
                                                            const StreamConfig& config);
  ~VideoStream();
  VideoStream(const VideoStream&) = delete;
  VideoStream& operator=(const VideoStream&) = delete;

  // The next encoded frame is an IDR (control-stream 0x0302, or an RFI we answer by IDR).
  void RequestIdr();
  uint16_t local_port() const;
  bool has_destination() const;
  VideoStreamStats stats() const;

 private:
  struct Impl;
  explicit VideoStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumen::moonlight::stream

#endif  // LUMEN_HOST_MOONLIGHT_STREAM_VIDEO_STREAM_H_

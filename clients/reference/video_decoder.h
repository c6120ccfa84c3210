// clients/reference/video_decoder.h — software video decoding for the reference client:
// FFmpeg libavcodec (h264, hevc; AV1 through libdav1d/libaom), one access unit in, decoded
// pictures out. Low-latency settings: no frame threading (a picture leaves the decoder in
// the call that fed its AU), slice threads allowed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "host/common/frame_desc.h"

namespace lumen::client {

struct Picture {
  std::span<const uint8_t> luma;  // Y plane, valid during the callback only
  int width = 0;
  int height = 0;
  int stride = 0;
  bool keyframe = false;
  // Full planes for snapshots / presentation (YUV420P-like layouts; may be empty for
  // other formats).
  const uint8_t* planes[3] = {nullptr, nullptr, nullptr};
  int strides[3] = {0, 0, 0};
  int av_format = -1;  // AVPixelFormat
  int color_range = 0;  // AVColorRange (0: unspecified, 2: full / JPEG range)
  int colorspace = 2;   // AVColorSpace (matrix; 2: unspecified, 1: BT.709)
};

class VideoDecoder {
 public:
  static absl::StatusOr<std::unique_ptr<VideoDecoder>> Create(host::Codec codec);
  ~VideoDecoder();

  // Decodes one access unit (Annex-B / OBUs). Calls on_picture for every picture out.
  // Errors: DataLoss when the decoder rejects the data (the caller should ask for an IDR).
  absl::Status Decode(std::span<const uint8_t> au,
                      const std::function<void(const Picture&)>& on_picture);

 private:
  VideoDecoder() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumen::client

// host/encode/test_decoder.h — a small FFmpeg decoder for tests and tools: access units
// in, decoded luma planes out (to read the test-pattern stamp back). Test-only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "host/common/frame_desc.h"

namespace lumen::encode {

struct DecodedPicture {
  std::span<const uint8_t> luma;  // valid during the callback only
  int width = 0;
  int height = 0;
  int stride = 0;
  int64_t pts = 0;
};

class TestDecoder {
 public:
  // h264 / hevc (FFmpeg's native decoders) or AV1 (libdav1d, else libaom-av1).
  static absl::StatusOr<std::unique_ptr<TestDecoder>> Create(host::Codec codec);
  ~TestDecoder();

  // Decodes one access unit; calls `on_picture` for every picture that comes out.
  absl::Status Decode(std::span<const uint8_t> au, int64_t pts,
                      const std::function<void(const DecodedPicture&)>& on_picture);
  // Drains pictures the decoder still holds.
  absl::Status Flush(const std::function<void(const DecodedPicture&)>& on_picture);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumen::encode

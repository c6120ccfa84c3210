// host/capture/pipewire_source.h — capture any PipeWire video node (a pw_stream consumer).
//
// Targets a node by name or id (or, with a portal remote fd, the node the portal
// granted). Offers BGRx, BGRA, RGBx, RGBA, NV12 and I420 and takes MemFd / MemPtr buffers;
// DmaBuf buffers are accepted when a producer offers mappable (linear) ones and read under
// DMA_BUF_IOCTL_SYNC — no producer here offers them, so that path only compiles and is
// skipped. Tiled (modifier) dmabufs would need a GPU import and are not negotiated.
// A format change from the producer (resize) is followed without restarting: the next
// frames simply carry the new size, and the encoder re-opens on it.
//
// Frames are delivered from PipeWire's thread to the FrameSink, newest buffer only (older
// queued buffers are returned unread so latency never builds up).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "host/capture/frame_sink.h"

namespace lumen::capture {

struct PipeWireSourceConfig {
  std::string target;    // node name or numeric id; empty with remote_fd: portal's node
  uint32_t node_id = 0;  // used when target is empty and node_id != 0
  int remote_fd = -1;    // from ScreenCast OpenPipeWireRemote (ownership passes here)
  // Preferred size and rate offered to the producer. With fixed_size the format offers
  // exactly this size — how mutter's RecordVirtual learns the virtual monitor's size.
  int width = 1920;
  int height = 1080;
  int fps = 60;
  bool fixed_size = false;
};

struct PipeWireSourceStats {
  uint64_t frames = 0;          // delivered to the sink
  uint64_t sink_refused = 0;    // the sink dropped it (ring full / too big)
  uint64_t empty_buffers = 0;   // buffers without usable data (corrupted / no chunk)
  uint64_t format_changes = 0;  // param_changed with a new format
  uint64_t dmabuf_frames = 0;
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::kUnknown;
};

class PipeWireSource {
 public:
  // Connects to PipeWire and starts streaming into `sink` (which must outlive this).
  // Unavailable if the daemon cannot be reached.
  static absl::StatusOr<std::unique_ptr<PipeWireSource>> Start(const PipeWireSourceConfig& config,
                                                               FrameSink* sink);
  ~PipeWireSource();
  PipeWireSource(const PipeWireSource&) = delete;
  PipeWireSource& operator=(const PipeWireSource&) = delete;

  // Offers a new preferred size (exactly that size with fixed_size): a producer that
  // follows its consumer — mutter's RecordVirtual monitor — renegotiates and resizes; the
  // stream keeps running and later frames carry the new size. InvalidArgument for sizes
  // outside 1..8192.
  absl::Status RequestSize(int width, int height);

  // True until the stream errors out or disconnects.
  bool ok() const;
  std::string error() const;
  bool streaming() const;
  PipeWireSourceStats stats() const;

  struct Impl;  // implementation detail

 private:
  PipeWireSource() = default;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumen::capture

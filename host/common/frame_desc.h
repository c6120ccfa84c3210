// host/common/frame_desc.h — the descriptors that travel through lumen's shared-memory
// rings, and the control messages transport -> encoder.
//
// Every struct here is trivially copyable, has no pointers (offsets only), and has a
// static_assert'd size: they are written by one process and read by another, possibly
// built at a different time. Add fields only at the end and bump kRingLayoutVersion
// (shm_ring.h) when a size changes. All timestamps are CLOCK_MONOTONIC nanoseconds
// (host/common/clock.h MonotonicNs()), comparable across the processes of one machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace lumen::host {

enum class PixelFormat : uint32_t {
  kUnknown = 0,
  kBgrx = 1,  // 4 bytes/pixel, B G R X in memory (PipeWire SPA_VIDEO_FORMAT_BGRx)
  kRgbx = 2,
  kNv12 = 3,  // Y plane (stride), then interleaved UV plane (stride), height/2 rows
  kI420 = 4,  // Y, U, V planes; U/V stride = stride / 2
};

// Where the planes of a 4:2:0 frame lie in one buffer, as capture writes them and encode
// reads them: Y (stride bytes per row, height rows), then ceil(height / 2) chroma rows,
// NV12 as one interleaved UV plane (stride bytes per row), I420 as U then V (stride / 2
// bytes per row each). Both formats take the same bytes.
struct PlanarLayout {
  size_t uv_offset;  // NV12 UV / I420 U plane
  size_t v_offset;   // I420 V plane
  size_t bytes;      // the whole frame
};
inline PlanarLayout Yuv420Layout(int stride, int height) {
  const size_t luma = size_t(stride) * size_t(height);
  const size_t chroma_rows = size_t((height + 1) / 2);
  return {luma, luma + size_t(stride / 2) * chroma_rows, luma + size_t(stride) * chroma_rows};
}

enum class Codec : uint32_t {
  kH264 = 1,
  kHevc = 2,
  kAv1 = 3,
};

// Raw frame: capture -> encode (RingKind::kRawVideo). Pixels are in the slot's payload.
struct RawFrameDesc {
  uint64_t frame_id;         // monotonic per capture session, starts at 1
  uint64_t capture_ts_ns;    // when the frame was captured (or painted, synthetic)
  uint32_t width;
  uint32_t height;
  PixelFormat format;
  uint32_t stride;           // bytes per row of the first plane
  uint64_t payload_offset;   // where the pixels start inside the slot's payload region
  uint64_t payload_len;      // bytes of pixel data
  uint32_t flags;            // RawFrameFlags
  uint32_t reserved;
};
static_assert(sizeof(RawFrameDesc) == 56);
static_assert(std::is_trivially_copyable_v<RawFrameDesc>);

enum RawFrameFlags : uint32_t {
  kRawFrameDamaged = 1u << 0,  // content changed since the previous frame
  kRawFrameRepeat = 1u << 1,   // producer re-sent the previous picture (idle screen)
};

// Encoded access unit: encode -> transport (RingKind::kEncodedVideo). The Annex-B
// bitstream (H.264/HEVC; IDRs carry SPS/PPS(/VPS) in-band) or AV1 OBUs are in the payload.
struct AccessUnitDesc {
  uint64_t frame_id;            // the RawFrameDesc.frame_id this AU encodes
  uint64_t capture_ts_ns;       // copied from the raw frame
  uint64_t encode_start_ts_ns;  // encoder picked the raw frame up
  uint64_t encode_done_ts_ns;   // bitstream ready
  uint32_t is_idr;              // 1 for a keyframe (IDR / AV1 key frame)
  Codec codec;
  uint32_t len;                 // payload bytes
  uint32_t width;
  uint32_t height;
  uint32_t flags;               // AccessUnitFlags
  uint64_t encoder_seq;         // AUs produced by this encoder instance, from 1
  uint64_t encoder_epoch;       // bumps when lumen-encode restarts (ring producer_epoch)
};
static_assert(sizeof(AccessUnitDesc) == 72);
static_assert(std::is_trivially_copyable_v<AccessUnitDesc>);

enum AccessUnitFlags : uint32_t {
  kAuAfterLoss = 1u << 0,  // the encoder had to skip AUs before this one (full ring)
  kAuAnswersIdrRequest = 1u << 1,
};

// Opus packet: audio -> transport (RingKind::kEncodedAudio).
struct AudioPacketDesc {
  uint64_t seq;            // from 1
  uint64_t capture_ts_ns;  // first sample of the packet
  uint32_t samples_per_channel;
  uint32_t channels;
  uint32_t sample_rate;
  uint32_t len;            // payload bytes
};
static_assert(sizeof(AudioPacketDesc) == 32);
static_assert(std::is_trivially_copyable_v<AudioPacketDesc>);

// Control: transport -> encode (RingKind::kControl, policy kReject, no payload).
enum class ControlType : uint32_t {
  kRequestIdr = 1,        // next AU must be an IDR
  kSetBitrate = 2,        // bitrate_kbps
  kSetResolution = 3,     // width, height (capture follows via the supervisor)
  kSetFps = 4,            // fps
  kInvalidateRefs = 5,    // RFI: first_frame..last_frame (IDR acceptable instead)
};

struct ControlMessage {
  ControlType type;
  uint32_t bitrate_kbps;
  uint32_t width;
  uint32_t height;
  uint32_t fps;
  uint32_t reserved;
  uint64_t first_frame;
  uint64_t last_frame;
  uint64_t sent_ts_ns;
};
static_assert(sizeof(ControlMessage) == 48);
static_assert(std::is_trivially_copyable_v<ControlMessage>);

// Per-frame send record: transport -> supervisor (RingKind::kTransportStats, policy
// kDropOldest, no payload). The supervisor derives per-stage latency and the live stats
// line from these; the demo joins them with what the client decoded.
struct FrameTiming {
  uint64_t frame_id;            // capture frame id (AccessUnitDesc.frame_id)
  uint32_t frame_index;         // Moonlight frameIndex on the wire (from 1)
  uint32_t is_idr;
  uint64_t capture_ts_ns;
  uint64_t encode_start_ts_ns;
  uint64_t encode_done_ts_ns;
  uint64_t transport_recv_ts_ns;  // transport took the AU off the ring
  uint64_t send_start_ts_ns;
  uint64_t send_done_ts_ns;       // last datagram handed to the kernel
  uint32_t au_bytes;
  uint32_t datagrams;             // data + parity
  uint32_t parity;                // parity datagrams
  uint32_t flags;                 // FrameTimingFlags
  uint64_t encoder_epoch;
};
static_assert(sizeof(FrameTiming) == 88);
static_assert(std::is_trivially_copyable_v<FrameTiming>);

enum FrameTimingFlags : uint32_t {
  kTimingNoClient = 1u << 0,   // no destination yet: the AU was not sent
  kTimingTooLarge = 1u << 1,   // the packetizer refused the AU (IDR requested)
  kTimingWaitingIdr = 1u << 2, // not sent: an earlier AU was not sent, waiting for an IDR
};

}  // namespace lumen::host

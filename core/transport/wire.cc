// core/transport/wire.cc — encode/parse of lumen transport headers (see wire.h).
#include "core/transport/wire.h"

namespace lumen::transport {

const char* DropReasonName(DropReason r) noexcept {
  switch (r) {
    case DropReason::kTooShort:
      return "too short";
    case DropReason::kBadVersion:
      return "bad version";
    case DropReason::kBadType:
      return "bad type";
    case DropReason::kBadLength:
      return "bad length";
    case DropReason::kBadShardSize:
      return "bad shard size";
    case DropReason::kBadShardCounts:
      return "bad shard counts";
    case DropReason::kBadFrameLength:
      return "bad frame length";
    case DropReason::kWrongSession:
      return "wrong session";
    case DropReason::kReplay:
      return "replay";
    case DropReason::kAuthFailed:
      return "auth failed";
    case DropReason::kInconsistent:
      return "inconsistent";
    case DropReason::kDuplicate:
      return "duplicate";
    case DropReason::kStaleFrame:
      return "stale frame";
    case DropReason::kFrameTooLarge:
      return "frame too large";
    case DropReason::kBadFeedback:
      return "bad feedback";
    case DropReason::kCount:
      break;
  }
  return "?";
}

void WriteCommonHeader(const CommonHeader& h, uint8_t* out) noexcept {
  out[0] = uint8_t((h.version << 4) | (static_cast<uint8_t>(h.type) & 0x0F));
  out[1] = h.flags;
  PutBe16(out + 2, h.payload_len);
  PutBe32(out + 4, h.session_id);
  PutBe64(out + 8, h.packet_number);
}

void WriteShardHeader(const ShardHeader& h, uint8_t* out) noexcept {
  WriteCommonHeader(h.common, out);
  PutBe32(out + 16, h.frame_id);
  PutBe16(out + 20, h.shard_index);
  PutBe16(out + 22, h.k);
  PutBe16(out + 24, h.m);
  out[26] = static_cast<uint8_t>(h.stream);
  out[27] = 0;
  PutBe32(out + 28, h.frame_len);
}

bool ParseCommonHeader(const uint8_t* d, size_t len, CommonHeader* out,
                       DropReason* reason) noexcept {
  if (d == nullptr || len < kCommonHeaderBytes + kTagBytes) {
    *reason = DropReason::kTooShort;
    return false;
  }
  out->version = uint8_t(d[0] >> 4);
  if (out->version != kWireVersion) {
    *reason = DropReason::kBadVersion;
    return false;
  }
  const uint8_t type = d[0] & 0x0F;
  size_t header_bytes = 0;
  if (type == static_cast<uint8_t>(PacketType::kShard)) {
    header_bytes = kShardHeaderBytes;
  } else if (type == static_cast<uint8_t>(PacketType::kFeedback)) {
    header_bytes = kCommonHeaderBytes;
  } else {
    *reason = DropReason::kBadType;
    return false;
  }
  out->type = static_cast<PacketType>(type);
  out->flags = d[1];
  out->payload_len = GetBe16(d + 2);
  out->session_id = GetBe32(d + 4);
  out->packet_number = GetBe64(d + 8);
  if (len < header_bytes + kTagBytes) {
    *reason = DropReason::kTooShort;
    return false;
  }
  if (len != header_bytes + size_t(out->payload_len) + kTagBytes) {
    *reason = DropReason::kBadLength;
    return false;
  }
  return true;
}

bool ParseShardHeader(const uint8_t* d, size_t len, size_t max_shard_bytes, ShardHeader* out,
                      DropReason* reason) noexcept {
  if (!ParseCommonHeader(d, len, &out->common, reason)) return false;
  if (out->common.type != PacketType::kShard) {
    *reason = DropReason::kBadType;
    return false;
  }
  const size_t shard = out->common.payload_len;
  if (shard == 0 || shard % kShardAlign != 0 || shard > max_shard_bytes) {
    *reason = DropReason::kBadShardSize;
    return false;
  }
  out->frame_id = GetBe32(d + 16);
  out->shard_index = GetBe16(d + 20);
  out->k = GetBe16(d + 22);
  out->m = GetBe16(d + 24);
  out->stream = static_cast<StreamId>(d[26]);
  out->frame_len = GetBe32(d + 28);
  const uint32_t n = uint32_t(out->k) + out->m;
  if (out->k == 0 || n > kMaxBlockShards || out->shard_index >= n) {
    *reason = DropReason::kBadShardCounts;
    return false;
  }
  const uint64_t cap = uint64_t(out->k) * shard;
  if (out->frame_len == 0 || out->frame_len > cap || out->frame_len <= cap - shard) {
    *reason = DropReason::kBadFrameLength;
    return false;
  }
  return true;
}

}  // namespace lumen::transport

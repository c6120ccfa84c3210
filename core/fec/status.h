// core/fec/status.h — result codes shared by lumen's erasure codecs.
//
// Per-packet code returns this small enum (never throws, never builds strings).
#pragma once

namespace lumen::fec {

enum class Status : int {
  kOk = 0,
  kInvalidArgument = 1,   // k/m out of range, null buffer, bad length
  kTooFewShards = 2,      // more shards lost than parity can rebuild
  kUnsupported = 3,       // e.g. parameters valid in general but not for this codec
};

inline const char* StatusName(Status s) noexcept {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kInvalidArgument: return "invalid argument";
    case Status::kTooFewShards: return "too few shards to recover";
    case Status::kUnsupported: return "unsupported";
  }
  return "?";
}

}  // namespace lumen::fec

// Crash-safe whole-file replacement for small state files (keys, paired clients, config).
//
// WriteFileAtomic writes to a temporary file in the same directory, fsyncs it, renames it over the
// target and fsyncs the directory. A reader (or the next start after kill -9 or power loss) sees
// either the complete old contents or the complete new contents, never a mix or a truncated file.
#ifndef LUMEN_HOST_MOONLIGHT_STATE_ATOMIC_FILE_H_
#define LUMEN_HOST_MOONLIGHT_STATE_ATOMIC_FILE_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace lumen::moonlight::state {

// Replaces `path` with `data` atomically. The file gets permission bits `mode` (default: owner
// read/write only, because state files hold private keys). The parent directory must exist.
// Leftover temporary files from a crash (`<path>.tmp.*`) are harmless and are overwritten or
// ignored. Not safe against two processes writing the same path concurrently (last rename wins,
// both files intact).
absl::Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0600);

// Reads a whole file. NotFoundError if it does not exist.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Creates `dir` and any missing parents with `mode` (0700 by default). OK if it already exists.
absl::Status MakeDirs(const std::string& dir, mode_t mode = 0700);

}  // namespace lumen::moonlight::state

#endif  // LUMEN_HOST_MOONLIGHT_STATE_ATOMIC_FILE_H_

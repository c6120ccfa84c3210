// Proves the offline toolchain links the system libraries the project relies on.
#include <doctest/doctest.h>
#include <sodium.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

TEST_CASE("Toolchain.SystemLibrariesLink") {
  CHECK(sodium_init() >= 0);
  absl::Status s = absl::InvalidArgumentError(absl::StrCat("k=", 0));
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
}

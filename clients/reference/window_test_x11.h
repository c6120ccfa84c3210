// clients/reference/window_test_x11.h — what a window manager does when the user clicks a
// window's close button, for window_test: Xlib kept in its own translation unit (its
// macros, e.g. `Status`, clash with absl).
#pragma once

#include <string>

namespace lumen::client::testing {

// Waits (up to timeout_ms) for a mapped top-level window titled `title` on X display
// `display`, then sends it WM_PROTOCOLS / WM_DELETE_WINDOW. False with *error on failure.
bool CloseWindowLikeAWindowManager(const std::string& display, const std::string& title,
                                   int timeout_ms, std::string* error);

// Waits (up to timeout_ms) for the window titled `title`, gives it the keyboard focus and
// types `text` (lower-case letters and digits) into it as key press + release events.
bool TypeIntoWindow(const std::string& display, const std::string& title, const std::string& text,
                    int timeout_ms, std::string* error);

}  // namespace lumen::client::testing

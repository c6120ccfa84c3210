// clients/reference/presenter.h — the reference client's window: an SDL2 window + renderer
// and one streaming texture (IYUV for yuv420p/yuvj420p, NV12 for nv12) showing the newest
// decoded picture.
//
// Threads: the presenter owns one thread, which does every SDL call (init, window, events,
// texture upload, render, present). Submit() may be called from any thread (the client's
// decode thread): it copies the picture's planes into a free buffer of a triple buffer and
// hands it over; the presenter thread shows the newest one, so a slow display drops
// pictures (counted in `replaced`) instead of delaying decoding. Buffers and the texture are
// reallocated only when the picture size, pixel format or colour matrix changes; nothing
// is allocated per frame. One Presenter per process at a time (SDL's video state is global).
//
// The window starts at the first picture's size and follows size changes of the stream; a
// window the user resizes scales the picture (aspect kept, letterboxed). Closing the window
// (or SDL_QUIT) sets closed(); the owner stops the client then. Keyboard, mouse and game
// controller events go to PresenterConfig::on_input as Moonlight input events
// (sdl_input.h; controllers are opened as they appear, numbered 0-15).
//
// Readback (tests, `reference_client --window-check=N`): after every Nth presented picture
// the rendered frame is read back (SDL_RenderReadPixels, before the buffer swap) and the
// test-pattern stamp is read from the RGB pixels (core/pattern ReadBgrx); it must match
// the stamp the client read from the decoded luma, i.e. it survived YUV->RGB conversion.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/reference/client.h"
#include "clients/reference/video_decoder.h"
#include "core/moonlight/input.h"

namespace lumen::client {

struct PresenterConfig {
  std::string title = "lumen reference client";
  bool software_renderer = false;  // SDL_RENDERER_SOFTWARE (Xvfb, no GPU)
  bool vsync = false;              // SDL_RENDERER_PRESENTVSYNC (adds up to a refresh of delay)
  int readback_every = 0;          // > 0: read back and stamp-check every Nth presented picture
  // Keyboard, mouse and game controllers as Moonlight input events (clients/reference/
  // sdl_input.h), called on the presenter thread; unset: input is ignored.
  std::function<void(const moonlight::input::InputEvent&)> on_input;
};

struct PresenterStats {
  uint64_t submitted = 0;           // pictures given to Submit
  uint64_t presented = 0;           // pictures shown
  uint64_t replaced = 0;            // overwritten by a newer picture before they were shown
  uint64_t unsupported = 0;         // pictures in a pixel format the presenter cannot show
  uint64_t reconfigs = 0;           // texture (re)created: first picture, size/format/matrix change
  uint64_t readbacks = 0;           // frames read back and checked
  uint64_t readback_stamp_ok = 0;   // stamp read from the RGB read-back matched
  uint64_t readback_stamp_bad = 0;  // it did not (misread, or another frame's stamp)
  uint64_t readback_skipped = 0;    // due, but the window was not at the picture's size yet
                                    // (or the picture had no valid stamp to compare with)
  uint32_t last_readback_frame = 0;  // stamp frame of the last good read-back
  int last_readback_width = 0, last_readback_height = 0;
  int width = 0, height = 0;  // current texture size
  uint64_t input_events = 0;  // keyboard/mouse events handed to on_input
};

// "presented N of M pictures (replaced R, unsupported U, W x H), read-back stamps ok K, bad
// B, skipped S, input events I": the window line of reference_client and `lumen demo --window`.
std::string FormatPresenterStats(const PresenterStats& s);

class Presenter {
 public:
  // Starts the presenter thread: SDL video init, window (shown at the first picture's size),
  // renderer. Fails with the SDL error when there is no display or no renderer.
  static absl::StatusOr<std::unique_ptr<Presenter>> Create(const PresenterConfig& cfg);
  ~Presenter();

  // Copies the picture for presentation (any thread; never waits for the display). Pictures
  // in formats other than yuv420p/yuvj420p/nv12 are counted in `unsupported` and dropped;
  // once the window is closed, pictures are ignored (not counted).
  void Submit(const FrameRecord& rec, const Picture& p);

  // True once the window was closed (or SDL_QUIT arrived).
  bool closed() const;
  PresenterStats stats() const;
  // Stops the thread and closes the window. Safe to call twice.
  void Stop();

 private:
  Presenter() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumen::client

// clients/reference/presenter.cc — see presenter.h.
#include "clients/reference/presenter.h"

#include <pthread.h>

extern "C" {
#include <libavutil/pixfmt.h>
}

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/reference/sdl_api.h"
#include "clients/reference/sdl_input.h"
#include "core/pattern/test_pattern.h"

namespace lumen::client {
namespace {

enum class Layout : uint8_t { kNone, kI420, kNv12 };

Layout LayoutOf(int av_format) {
  switch (av_format) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P:
      return Layout::kI420;
    case AV_PIX_FMT_NV12:
      return Layout::kNv12;
    default:
      return Layout::kNone;
  }
}

// SDL2's YUV->RGB matrices: BT.601 / BT.709 limited range, JPEG (BT.601 full range).
SDL_YUV_CONVERSION_MODE ConversionMode(const Picture& p) {
  if (p.color_range == AVCOL_RANGE_JPEG || p.av_format == AV_PIX_FMT_YUVJ420P) {
    return SDL_YUV_CONVERSION_JPEG;
  }
  if (p.colorspace == AVCOL_SPC_BT709) return SDL_YUV_CONVERSION_BT709;
  if (p.colorspace == AVCOL_SPC_BT470BG || p.colorspace == AVCOL_SPC_SMPTE170M) {
    return SDL_YUV_CONVERSION_BT601;
  }
  return SDL_YUV_CONVERSION_AUTOMATIC;  // SDL: BT.601 up to SD, BT.709 above
}

// One picture, planes packed (pitch = plane width in bytes).
struct Buffer {
  std::vector<uint8_t> data;  // grows on a larger picture only: no per-frame allocation
  int width = 0, height = 0;
  Layout layout = Layout::kNone;
  SDL_YUV_CONVERSION_MODE mode = SDL_YUV_CONVERSION_AUTOMATIC;
  FrameRecord rec;

  int chroma_width() const { return (width + 1) / 2; }
  int chroma_height() const { return (height + 1) / 2; }
  size_t luma_bytes() const { return size_t(width) * size_t(height); }
  size_t chroma_bytes() const { return size_t(chroma_width()) * size_t(chroma_height()); }
  const uint8_t* y() const { return data.data(); }
  const uint8_t* u() const { return data.data() + luma_bytes(); }  // NV12: interleaved UV
  const uint8_t* v() const { return data.data() + luma_bytes() + chroma_bytes(); }
};

void CopyPlane(uint8_t* dst, size_t row_bytes, int rows, const uint8_t* src, int stride) {
  for (int r = 0; r < rows; ++r) {
    std::memcpy(dst + size_t(r) * row_bytes, src + size_t(r) * size_t(stride), row_bytes);
  }
}

// Largest rectangle of the picture's aspect that fits the output, centred.
SDL_Rect Fit(int w, int h, int ow, int oh) {
  if (int64_t(ow) * h <= int64_t(oh) * w) {
    const int fh = int(int64_t(ow) * h / w);
    return SDL_Rect{0, (oh - fh) / 2, ow, fh};
  }
  const int fw = int(int64_t(oh) * w / h);
  return SDL_Rect{(ow - fw) / 2, 0, fw, oh};
}

}  // namespace

struct Presenter::Impl {
  PresenterConfig cfg;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::atomic<bool> closed{false};

  // Triple buffer: the submitter fills bufs[spare] (submit_mu), then swaps it with
  // `pending` under mu; the presenter thread swaps `pending` with `showing` under mu.
  Buffer bufs[3];
  int spare = 0, pending = 1, showing = 2;
  bool fresh = false;
  std::mutex submit_mu;
  mutable std::mutex mu;
  std::condition_variable cv;
  PresenterStats stats;

  // Presenter thread only.
  const SdlApi* sdl = nullptr;  // loaded by Init()
  SDL_Window* window = nullptr;
  SDL_Renderer* renderer = nullptr;
  SDL_Texture* texture = nullptr;
  int tex_w = 0, tex_h = 0;
  Layout tex_layout = Layout::kNone;
  SDL_YUV_CONVERSION_MODE tex_mode = SDL_YUV_CONVERSION_AUTOMATIC;
  bool shown = false;
  bool have_picture = false;
  std::vector<uint8_t> readback;
  PictureGeometry geometry;  // where the last picture was drawn (mouse mapping)
  GamepadTracker gamepads;   // on_input: game controllers as Moonlight pads
  std::map<SDL_JoystickID, SDL_GameController*> controllers;  // opened, by instance id
  bool gamepad_subsystem = false;

  absl::Status Init();
  void Run();
  void HandleInput(const SDL_Event& e);
  void Forward(const moonlight::input::InputEvent& ev);
  void Shutdown();
  bool Configure(const Buffer& b);
  void Draw(const Buffer* b, bool count);
};

absl::Status Presenter::Impl::Init() {
  absl::StatusOr<const SdlApi*> api = LoadSdl();
  if (!api.ok()) return api.status();
  sdl = *api;
  sdl->SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");  // the client owns SIGINT/SIGTERM
  sdl->SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
  // Software rendering: blit to the window with the platform's own framebuffer (X11: XShm)
  // rather than letting SDL probe OpenGL for a "framebuffer texture" (Mesa's llvmpipe
  // under Xvfb: slower, and threads of its own).
  if (cfg.software_renderer) sdl->SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  if (sdl->InitSubSystem(SDL_INIT_VIDEO) != 0) {
    return absl::UnavailableError(absl::StrCat("SDL video init: ", sdl->GetError()));
  }
  // Game controllers only when input goes somewhere; without them the window still works.
  // Their events count even while the window is not focused (as in moonlight-qt).
  if (cfg.on_input) {
    sdl->SetHint(SDL_HINT_JOYSTICK_ALLOW_BACKGROUND_EVENTS, "1");
    gamepad_subsystem = sdl->InitSubSystem(SDL_INIT_GAMECONTROLLER) == 0;
  }
  window = sdl->CreateWindow(cfg.title.c_str(), SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                             640, 360, SDL_WINDOW_HIDDEN | SDL_WINDOW_RESIZABLE);
  if (window == nullptr) {
    absl::Status s = absl::UnavailableError(absl::StrCat("SDL window: ", sdl->GetError()));
    Shutdown();
    return s;
  }
  Uint32 flags = cfg.software_renderer ? Uint32(SDL_RENDERER_SOFTWARE) : 0u;
  if (cfg.vsync) flags |= SDL_RENDERER_PRESENTVSYNC;
  renderer = sdl->CreateRenderer(window, -1, flags);
  if (renderer == nullptr) {
    absl::Status s = absl::UnavailableError(absl::StrCat("SDL renderer: ", sdl->GetError()));
    Shutdown();
    return s;
  }
  return absl::OkStatus();
}

void Presenter::Impl::Shutdown() {
  if (sdl == nullptr) return;  // SDL2 never loaded
  for (auto& [id, gc] : controllers) sdl->GameControllerClose(gc);
  controllers.clear();
  if (gamepad_subsystem) sdl->QuitSubSystem(SDL_INIT_GAMECONTROLLER);
  if (texture) sdl->DestroyTexture(texture);
  if (renderer) sdl->DestroyRenderer(renderer);
  if (window) sdl->DestroyWindow(window);
  texture = nullptr;
  renderer = nullptr;
  window = nullptr;
  sdl->QuitSubSystem(SDL_INIT_VIDEO);
  sdl->Quit();
}

// (Re)creates the texture for a new size, layout or matrix; sizes the window to the picture.
bool Presenter::Impl::Configure(const Buffer& b) {
  if (texture && b.width == tex_w && b.height == tex_h && b.layout == tex_layout &&
      b.mode == tex_mode) {
    return true;
  }
  if (texture) sdl->DestroyTexture(texture);
  sdl->SetYUVConversionMode(b.mode);
  texture = sdl->CreateTexture(
      renderer, b.layout == Layout::kNv12 ? SDL_PIXELFORMAT_NV12 : SDL_PIXELFORMAT_IYUV,
      SDL_TEXTUREACCESS_STREAMING, b.width, b.height);
  if (texture == nullptr) return false;
  if (b.width != tex_w || b.height != tex_h) sdl->SetWindowSize(window, b.width, b.height);
  if (!shown) {
    sdl->ShowWindow(window);
    shown = true;
  }
  tex_w = b.width;
  tex_h = b.height;
  tex_layout = b.layout;
  tex_mode = b.mode;
  if (cfg.readback_every > 0) readback.resize(size_t(b.width) * size_t(b.height) * 4);
  std::lock_guard<std::mutex> l(mu);
  ++stats.reconfigs;
  stats.width = b.width;
  stats.height = b.height;
  return true;
}

// Uploads `b` (when given), renders, optionally reads back, presents. b == nullptr redraws
// the current texture (expose / resize).
void Presenter::Impl::Draw(const Buffer* b, bool count) {
  if (b != nullptr) {
    if (!Configure(*b)) return;
    if (b->layout == Layout::kNv12) {
      sdl->UpdateNVTexture(texture, nullptr, b->y(), b->width, b->u(), 2 * b->chroma_width());
    } else {
      sdl->UpdateYUVTexture(texture, nullptr, b->y(), b->width, b->u(), b->chroma_width(), b->v(),
                            b->chroma_width());
    }
    have_picture = true;
  }
  if (!have_picture) return;
  int ow = 0, oh = 0;
  sdl->GetRendererOutputSize(renderer, &ow, &oh);
  sdl->SetRenderDrawColor(renderer, 0, 0, 0, 255);
  sdl->RenderClear(renderer);
  if (ow > 0 && oh > 0) {
    const SDL_Rect dst = Fit(tex_w, tex_h, ow, oh);
    sdl->RenderCopy(renderer, texture, nullptr, &dst);
    geometry = PictureGeometry{dst, tex_w, tex_h};
  }
  uint64_t presented = 0;
  {
    std::lock_guard<std::mutex> l(mu);
    if (count) presented = ++stats.presented;
  }
  // Read back what is about to be shown (the back buffer; undefined after the swap).
  if (count && b != nullptr && cfg.readback_every > 0 &&
      presented % uint64_t(cfg.readback_every) == 0) {
    bool ok = false, checked = false;
    pattern::Stamp st;
    if (ow == tex_w && oh == tex_h && b->rec.stamp_ok) {
      checked = sdl->RenderReadPixels(renderer, nullptr, SDL_PIXELFORMAT_ARGB8888, readback.data(),
                                      tex_w * 4) == 0;
      ok = checked &&
           pattern::ReadBgrx(readback, tex_w, tex_h, tex_w * 4, &st) == pattern::ReadStatus::kOk &&
           st.frame == b->rec.stamp_frame;
    }
    std::lock_guard<std::mutex> l(mu);
    if (!checked) {
      ++stats.readback_skipped;
    } else {
      ++stats.readbacks;
      if (ok) {
        ++stats.readback_stamp_ok;
        stats.last_readback_frame = st.frame;
        stats.last_readback_width = tex_w;
        stats.last_readback_height = tex_h;
      } else {
        ++stats.readback_stamp_bad;
      }
    }
  }
  sdl->RenderPresent(renderer);
}

void Presenter::Impl::Forward(const moonlight::input::InputEvent& ev) {
  cfg.on_input(ev);
  std::lock_guard<std::mutex> l(mu);
  ++stats.input_events;
}

// Keyboard and mouse (sdl_input.h), and game controllers: opened when they appear (the
// added event carries a device index), closed when they go.
void Presenter::Impl::HandleInput(const SDL_Event& e) {
  if (e.type == SDL_CONTROLLERDEVICEADDED) {
    SDL_GameController* gc = sdl->GameControllerOpen(e.cdevice.which);
    if (gc == nullptr) return;
    const SDL_JoystickID id = sdl->JoystickInstanceID(sdl->GameControllerGetJoystick(gc));
    if (controllers.count(id) != 0) {
      sdl->GameControllerClose(gc);  // already open (SDL reports devices present at init too)
      return;
    }
    controllers[id] = gc;
    for (const auto& ev : gamepads.Added(id)) Forward(ev);
    return;
  }
  if (e.type >= SDL_CONTROLLERAXISMOTION && e.type <= SDL_CONTROLLERDEVICEREMAPPED) {
    for (const auto& ev : gamepads.Handle(e)) Forward(ev);
    if (e.type == SDL_CONTROLLERDEVICEREMOVED) {
      if (auto it = controllers.find(e.cdevice.which); it != controllers.end()) {
        sdl->GameControllerClose(it->second);
        controllers.erase(it);
      }
    }
    return;
  }
  if (auto ev = TranslateSdlEvent(e, geometry)) Forward(*ev);
}

void Presenter::Impl::Run() {
  pthread_setname_np(pthread_self(), "present");
  while (!stop.load()) {
    bool redraw = false;
    SDL_Event e;
    // Keyboard, mouse and game controllers go to on_input (HandleInput).
    while (sdl->PollEvent(&e)) {
      if (cfg.on_input && !closed) HandleInput(e);
      if (e.type == SDL_QUIT) {
        closed = true;
      } else if (e.type == SDL_WINDOWEVENT) {
        if (e.window.event == SDL_WINDOWEVENT_CLOSE) {
          closed = true;
        } else if (e.window.event == SDL_WINDOWEVENT_EXPOSED ||
                   e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
          redraw = true;
        }
      }
    }
    if (closed && shown) {
      sdl->HideWindow(window);
      shown = false;
    }
    bool got = false;
    {
      std::unique_lock<std::mutex> l(mu);
      // Wake for a new picture at once; otherwise every 10 ms to keep events flowing.
      cv.wait_for(l, std::chrono::milliseconds(10), [&] { return fresh || stop.load(); });
      if (fresh) {
        std::swap(pending, showing);
        fresh = false;
        got = true;
      }
    }
    if (closed) continue;
    if (got) {
      Draw(&bufs[showing], true);
    } else if (redraw) {
      Draw(nullptr, false);
    }
  }
}

std::string FormatPresenterStats(const PresenterStats& w) {
  return absl::StrFormat(
      "presented %llu of %llu pictures (replaced %llu, unsupported %llu, %d x %d), read-back "
      "stamps ok %llu, bad %llu, skipped %llu, input events %llu",
      (unsigned long long)w.presented, (unsigned long long)w.submitted,
      (unsigned long long)w.replaced, (unsigned long long)w.unsupported, w.width, w.height,
      (unsigned long long)w.readback_stamp_ok, (unsigned long long)w.readback_stamp_bad,
      (unsigned long long)w.readback_skipped, (unsigned long long)w.input_events);
}

absl::StatusOr<std::unique_ptr<Presenter>> Presenter::Create(const PresenterConfig& cfg) {
  std::unique_ptr<Presenter> p(new Presenter());
  p->impl_ = std::make_unique<Impl>();
  Impl* im = p->impl_.get();
  im->cfg = cfg;
  std::promise<absl::Status> ready;
  std::future<absl::Status> init = ready.get_future();
  im->thread = std::thread([im, ready = std::move(ready)]() mutable {
    absl::Status s = im->Init();
    const bool ok = s.ok();
    ready.set_value(std::move(s));
    if (!ok) return;
    im->Run();
    im->Shutdown();
  });
  absl::Status s = init.get();
  if (!s.ok()) {
    im->thread.join();
    return s;
  }
  return p;
}

Presenter::~Presenter() { Stop(); }

void Presenter::Stop() {
  if (!impl_) return;
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void Presenter::Submit(const FrameRecord& rec, const Picture& p) {
  Impl& im = *impl_;
  if (im.closed.load()) return;  // nobody is looking any more
  const Layout layout = LayoutOf(p.av_format);
  if (layout == Layout::kNone || p.width <= 0 || p.height <= 0 || p.planes[0] == nullptr ||
      p.planes[1] == nullptr || (layout == Layout::kI420 && p.planes[2] == nullptr)) {
    std::lock_guard<std::mutex> l(im.mu);
    ++im.stats.unsupported;
    return;
  }
  std::lock_guard<std::mutex> sl(im.submit_mu);
  Buffer& b = im.bufs[im.spare];  // only Submit (under submit_mu) changes `spare`
  b.width = p.width;
  b.height = p.height;
  b.layout = layout;
  b.mode = ConversionMode(p);
  b.rec = rec;
  const size_t need = b.luma_bytes() + 2 * b.chroma_bytes();
  if (b.data.size() < need) b.data.resize(need);
  CopyPlane(b.data.data(), size_t(b.width), b.height, p.planes[0], p.strides[0]);
  uint8_t* chroma = b.data.data() + b.luma_bytes();
  if (layout == Layout::kNv12) {
    CopyPlane(chroma, 2 * size_t(b.chroma_width()), b.chroma_height(), p.planes[1], p.strides[1]);
  } else {
    CopyPlane(chroma, size_t(b.chroma_width()), b.chroma_height(), p.planes[1], p.strides[1]);
    CopyPlane(chroma + b.chroma_bytes(), size_t(b.chroma_width()), b.chroma_height(), p.planes[2],
              p.strides[2]);
  }
  {
    std::lock_guard<std::mutex> l(im.mu);
    std::swap(im.spare, im.pending);
    if (im.fresh) ++im.stats.replaced;
    im.fresh = true;
    ++im.stats.submitted;
  }
  im.cv.notify_one();
}

bool Presenter::closed() const { return impl_->closed.load(); }

PresenterStats Presenter::stats() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->stats;
}

}  // namespace lumen::client

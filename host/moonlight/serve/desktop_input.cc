// Moonlight input -> host/input backends (see desktop_input.h).
#include "host/moonlight/serve/desktop_input.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "host/input/mutter_backend.h"
#include "host/input/portal_backend.h"
#include "host/input/uinput_backend.h"

namespace lumen::moonlight::serve {
namespace {

absl::StatusOr<std::unique_ptr<::lumen::input::InputBackend>> OpenBackend(
    const std::string& choice) {
  using ::lumen::input::InputBackend;
  // Each reason is repeated in the one error line the caller logs if nothing opens.
  auto report = [](const std::string& why) { spdlog::debug("input: {}", why); };
  if (choice == "auto") return ::lumen::input::OpenBestBackend(report);
  if (choice == "mutter") {
    auto b = ::lumen::input::MutterBackend::Open();
    if (!b.ok()) return b.status();
    return std::unique_ptr<InputBackend>(std::move(*b));
  }
  if (choice == "portal") {
    auto b = ::lumen::input::PortalBackend::Open();
    if (!b.ok()) return b.status();
    return std::unique_ptr<InputBackend>(std::move(*b));
  }
  if (choice == "uinput") {
    auto b = ::lumen::input::UinputBackend::Open();
    if (!b.ok()) return b.status();
    return std::unique_ptr<InputBackend>(std::move(*b));
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown input backend ", choice));
}

}  // namespace

bool ValidInputChoice(const std::string& c) {
  return c == "auto" || c == "mutter" || c == "portal" || c == "uinput" || c == "log" ||
         c == "none";
}

InputRouter::InputRouter(const std::string& choice) : choice_(choice) {
  if (choice == "log" || choice == "none") return;
  auto b = OpenBackend(choice);
  if (!b.ok()) {
    open_error_ = std::string(b.status().message());
    spdlog::error("input: --input={} cannot be used ({}); input from clients will be dropped",
                  choice, open_error_);
    return;
  }
  spdlog::info("input: injecting through {}", (*b)->name());
  dispatcher_ = std::make_unique<::lumen::input::InputDispatcher>(
      std::move(*b), [](const std::string& line) { spdlog::warn("input: {}", line); });
}

void InputRouter::Handle(const input::InputEvent& ev) {
  std::lock_guard l(mu_);
  if (dispatcher_) {
    dispatcher_->Handle(ev);
    return;
  }
  if (choice_ == "log") {
    ++logged_;
    if (const auto* k = std::get_if<input::KeyEvent>(&ev)) {
      spdlog::info("input: key {} vk 0x{:02X} modifiers 0x{:02X}", k->down ? "down" : "up", k->vk(),
                   k->modifiers);
    } else {
      spdlog::debug("input: event kind {}", ev.index());
    }
    return;
  }
  ++no_backend_;
}

std::string InputRouter::backend_name() const {
  std::lock_guard l(mu_);
  return dispatcher_ ? std::string(dispatcher_->backend()->name()) : std::string();
}

std::string InputRouter::open_error() const { return open_error_; }

uint64_t InputRouter::delivered() const {
  std::lock_guard l(mu_);
  return dispatcher_ ? dispatcher_->delivered() : 0;
}

uint64_t InputRouter::dropped() const {
  std::lock_guard l(mu_);
  return no_backend_ + (dispatcher_ ? dispatcher_->dropped() : 0);
}

std::string InputRouter::StatsLine() const {
  std::lock_guard l(mu_);
  if (!dispatcher_) {
    return absl::StrCat("input[", choice_, "] no backend, ", no_backend_ + logged_, " events");
  }
  return absl::StrCat("input[", dispatcher_->backend()->name(), "] delivered ",
                      dispatcher_->delivered(), " dropped ", dispatcher_->dropped());
}

}  // namespace lumen::moonlight::serve

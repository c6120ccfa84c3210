// clients/reference/window_test_x11.cc — see window_test_x11.h.
#include "clients/reference/window_test_x11.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <unistd.h>

namespace lumen::client::testing {
namespace {

// A mapped child of the root window with this WM_NAME (SDL's windows are top-level).
Window FindMapped(Display* d, const std::string& title) {
  Window root_ret = 0, parent = 0;
  Window* children = nullptr;
  unsigned int n = 0;
  Window found = 0;
  if (!XQueryTree(d, DefaultRootWindow(d), &root_ret, &parent, &children, &n)) return 0;
  for (unsigned int i = 0; i < n && found == 0; ++i) {
    char* name = nullptr;
    if (XFetchName(d, children[i], &name) && name != nullptr) {
      XWindowAttributes a;
      if (title == name && XGetWindowAttributes(d, children[i], &a) && a.map_state == IsViewable) {
        found = children[i];
      }
      XFree(name);
    }
  }
  if (children) XFree(children);
  return found;
}

// Opens `display` and waits (up to timeout_ms) for the mapped window titled `title`. On
// failure: nullptr display, *error set.
Display* OpenAndFind(const std::string& display, const std::string& title, int timeout_ms,
                     Window* w, std::string* error) {
  Display* d = XOpenDisplay(display.c_str());
  if (d == nullptr) {
    *error = "cannot open display " + display;
    return nullptr;
  }
  *w = 0;
  for (int waited = 0; (*w = FindMapped(d, title)) == 0 && waited < timeout_ms; waited += 50) {
    usleep(50000);
  }
  if (*w == 0) {
    *error = "no mapped window titled '" + title + "'";
    XCloseDisplay(d);
    return nullptr;
  }
  return d;
}

}  // namespace

bool CloseWindowLikeAWindowManager(const std::string& display, const std::string& title,
                                   int timeout_ms, std::string* error) {
  Window w = 0;
  Display* d = OpenAndFind(display, title, timeout_ms, &w, error);
  if (d == nullptr) return false;
  XEvent ev{};
  ev.xclient.type = ClientMessage;
  ev.xclient.window = w;
  ev.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
  ev.xclient.format = 32;
  ev.xclient.data.l[0] = long(XInternAtom(d, "WM_DELETE_WINDOW", False));
  ev.xclient.data.l[1] = CurrentTime;
  const bool sent = XSendEvent(d, w, False, NoEventMask, &ev) != 0;
  XSync(d, False);
  XCloseDisplay(d);
  if (!sent) *error = "XSendEvent failed";
  return sent;
}

bool TypeIntoWindow(const std::string& display, const std::string& title, const std::string& text,
                    int timeout_ms, std::string* error) {
  Window w = 0;
  Display* d = OpenAndFind(display, title, timeout_ms, &w, error);
  if (d == nullptr) return false;
  // No window manager on Xvfb: give the focus ourselves (SDL takes keys once focused).
  XSetInputFocus(d, w, RevertToParent, CurrentTime);
  XSync(d, False);
  usleep(300000);
  bool ok = true;
  for (char c : text) {
    const KeySym sym = XStringToKeysym(std::string(1, c).c_str());
    for (int type : {KeyPress, KeyRelease}) {
      XEvent ev{};
      ev.xkey.type = type;
      ev.xkey.display = d;
      ev.xkey.window = w;
      ev.xkey.root = DefaultRootWindow(d);
      ev.xkey.subwindow = None;
      ev.xkey.time = CurrentTime;
      ev.xkey.x = ev.xkey.y = ev.xkey.x_root = ev.xkey.y_root = 1;
      ev.xkey.same_screen = True;
      ev.xkey.keycode = XKeysymToKeycode(d, sym);
      ev.xkey.state = 0;
      ok = XSendEvent(d, w, True, type == KeyPress ? KeyPressMask : KeyReleaseMask, &ev) && ok;
      XSync(d, False);
      usleep(20000);
    }
  }
  XCloseDisplay(d);
  if (!ok) *error = "XSendEvent failed";
  return ok;
}

}  // namespace lumen::client::testing

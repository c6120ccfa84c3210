#!/usr/bin/env bash
# Installs every Debian 12 package lumen's build, tests and demo need.
# Safe to run any number of times; needs root (or sudo) for apt-get.
set -euo pipefail

PACKAGES=(
  # build
  bazel-bootstrap bazel-rules-java bazel-platforms build-essential pkg-config
  clang-14 libclang-rt-14-dev
  # libraries
  libabsl-dev libsimde-dev doctest-dev libsodium-dev libssl-dev libisal-dev
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libffmpeg-nvenc-dev
  libpipewire-0.3-dev libopus-dev libenet-dev
  libcpp-httplib-dev nlohmann-json3-dev libpugixml-dev libspdlog-dev libfmt-dev
  libavahi-client-dev libsystemd-dev libbenchmark-dev libsdl2-dev libevdev-dev
  libegl-dev libgl-dev
  # real components the tests run against
  dbus-daemon dbus-bin pipewire pipewire-bin wireplumber
  gstreamer1.0-pipewire gstreamer1.0-tools gstreamer1.0-plugins-base
  mutter libgl1-mesa-dri libegl-mesa0 nftables iproute2 openssl
  weston  # weston-eventdemo: the Wayland client that observes injected input
  xvfb    # Xvfb: the X server the reference client's SDL2 window test (--window) draws on
  avahi-daemon avahi-utils  # mdns_test: its own avahi-daemon, browsed with avahi-browse
)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#PACKAGES[@]} packages already installed"
fi

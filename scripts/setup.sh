#!/bin/sh
# Flowcast setup: system packages, npm dependencies, TypeScript build.
# Idempotent and fast when everything is already in place. Safe to run from any directory.
set -eu

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"

say() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: FAILED (%s): %s\n' "$1" "$2" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Step 1: Debian packages
# ---------------------------------------------------------------------------------------------
APT_PACKAGES="gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-base-apps gstreamer1.0-plugins-good \
gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-x gstreamer1.0-alsa libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev \
libasound2-plugins alsa-utils ffmpeg pkg-config python3 make g++"
# `setup.sh --test` (what `npm test` runs) adds what only the tests use: a real browser as a web player,
# systemd's `systemd-notify` (the test of `flowcast serve` under systemd; on a server it is there
# with systemd itself), and openssl (a certificate for the admin API's TLS test).
if [ "${1:-}" = "--test" ]; then
  APT_PACKAGES="$APT_PACKAGES chromium systemd openssl"
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=""
  for pkg in $APT_PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
    case "$status" in
      ii*) ;;
      *) missing="$missing $pkg" ;;
    esac
  done
  missing=${missing# }

  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
      SUDO=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
      SUDO="sudo -n"
    else
      printf 'setup: missing system packages: %s\n' "$missing" >&2
      printf 'setup: install them with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n' "$missing" >&2
      exit 1
    fi
    say "installing system packages: $missing"
    log=$(mktemp "${TMPDIR:-/tmp}/flowcast-apt.XXXXXX")
    if ! $SUDO apt-get update >"$log" 2>&1; then
      tail -n 20 "$log" >&2
      fail "system packages" "apt-get update failed (full log: $log)"
    fi
    for pkg in $missing; do
      if ! apt-cache show "$pkg" >/dev/null 2>&1; then
        fail "system packages" "package '$pkg' is not known to apt on this system"
      fi
    done
    # shellcheck disable=SC2086
    if ! $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends $missing >>"$log" 2>&1; then
      tail -n 20 "$log" >&2
      fail "system packages" "apt-get install failed (full log: $log)"
    fi
    rm -f "$log"
  fi
else
  say "warning: dpkg-query not found, not checking system packages (need: $APT_PACKAGES)"
fi

# ---------------------------------------------------------------------------------------------
# Step 2: npm dependencies
# ---------------------------------------------------------------------------------------------
STAMP=node_modules/.flowcast-setup-stamp

lock_hash() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum package-lock.json | cut -d' ' -f1
  else
    node -e "process.stdout.write(require('crypto').createHash('sha256').update(require('fs').readFileSync('package-lock.json')).digest('hex'))"
  fi
}

NPM_FLAGS="--no-audit --no-fund --loglevel=error"
installed=0
if [ ! -f package-lock.json ]; then
  say "no package-lock.json: running npm install"
  # shellcheck disable=SC2086
  npm install $NPM_FLAGS || fail "npm install" "npm install failed"
  installed=1
elif [ ! -d node_modules ] || [ ! -f "$STAMP" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$(lock_hash)" ]; then
  say "installing npm dependencies (npm ci)"
  # shellcheck disable=SC2086
  npm ci $NPM_FLAGS || fail "npm ci" "npm ci failed"
  installed=1
fi

# The native GStreamer addon must load; rebuild it once if it does not (e.g. after a Node upgrade).
addon_ok() { node -e "require('gstreamer-superficial')" >/dev/null 2>&1; }
if ! addon_ok; then
  say "gstreamer-superficial does not load: running npm rebuild gstreamer-superficial"
  npm rebuild gstreamer-superficial --loglevel=error || fail "native addon" "npm rebuild gstreamer-superficial failed"
  if ! addon_ok; then
    node -e "require('gstreamer-superficial')" >&2 || true
    fail "native addon" "require('gstreamer-superficial') still fails after rebuild (check libgstreamer1.0-dev, libgstreamer-plugins-base1.0-dev, python3, make, g++)"
  fi
  installed=1
fi

# Core's native parts (core/native: the media addon with the flowcastbatchsink element, and the
# network addon with the file sender) and streamer-http's (plugins/streamer-http/native): npm
# builds them on install; build them here when missing (a clone whose node_modules was installed
# before they existed) or older than their sources.
core_native_ok() {
  local addon
  for addon in flowcast_core flowcast_net; do
    node -e "require('./core/build/Release/$addon.node')" >/dev/null 2>&1 &&
      [ -z "$(find core/native core/binding.gyp -newer core/build/Release/$addon.node 2>/dev/null)" ] || return 1
  done
}
if ! core_native_ok; then
  say "building core's native part: npm rebuild -w core"
  npm rebuild -w core --loglevel=error || fail "native addon" "npm rebuild -w core failed (check python3, make, g++, libgstreamer1.0-dev)"
  core_native_ok || fail "native addon" "core/build/Release/flowcast_core.node or flowcast_net.node still does not load after rebuild"
fi
fanout_ok() {
  node -e "require('./plugins/streamer-http/build/Release/fanout.node')" >/dev/null 2>&1 &&
    [ -z "$(find plugins/streamer-http/native plugins/streamer-http/binding.gyp core/native/napi-util.h -newer plugins/streamer-http/build/Release/fanout.node 2>/dev/null)" ]
}
if [ -d plugins/streamer-http ] && ! fanout_ok; then
  say "building streamer-http's native part: npm rebuild -w plugins/streamer-http"
  npm rebuild -w plugins/streamer-http --loglevel=error || fail "native addon" "npm rebuild -w plugins/streamer-http failed (check python3, make, g++)"
  fanout_ok || fail "native addon" "plugins/streamer-http/build/Release/fanout.node still does not load after rebuild"
fi

if [ "$installed" = 1 ]; then
  [ -f package-lock.json ] || fail "npm install" "package-lock.json was not created"
  lock_hash >"$STAMP" || fail "npm install" "could not write $STAMP"
fi

# ---------------------------------------------------------------------------------------------
# Step 3: TypeScript build (incremental)
# ---------------------------------------------------------------------------------------------
npx --no-install tsc -b || fail "build" "npx tsc -b failed"

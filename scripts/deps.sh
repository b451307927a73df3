#!/usr/bin/env bash
# Installs what parley needs to build and test, only when missing (Debian 12, as root or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  libboost1.81-dev libboost-json1.81-dev libssl-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev chromium fonts-noto-cjk fonts-noto-color-emoji coturn
)
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages for the test tools (and later the web client), from the lockfiles.
for dir in "$@"; do
  if [ -f "$dir/package-lock.json" ] &&
     { [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

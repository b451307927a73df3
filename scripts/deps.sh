#!/usr/bin/env bash
# Installs what parley needs to build and test, only when missing (Debian 12, as root or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  libboost1.81-dev libboost-json1.81-dev libssl-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev chromium fonts-noto-cjk fonts-noto-color-emoji coturn
  librabbitmq-dev rabbitmq-server
)
# The benchmarks (make bench) also plot with gnuplot and count instructions with callgrind.
for arg in "$@"; do
  if [ "$arg" = bench ]; then
    packages+=(gnuplot-nox valgrind)
    break
  fi
done
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
command -v npm >/dev/null 2>&1 || packages+=(npm)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The tests start private RabbitMQ nodes (scripts/rabbitmq-test.sh): keep the Debian
  # rabbitmq-server service from starting on install, so it does not hold 5672 and epmd's 4369.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    trap '$sudo rm -f "$policy"' EXIT
  fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ -n "$policy" ]; then
    $sudo rm -f "$policy"
    trap - EXIT
  fi
fi
if [ -d /run/systemd/system ] && systemctl is-enabled --quiet rabbitmq-server 2>/dev/null; then
  $sudo systemctl disable --now rabbitmq-server >/dev/null 2>&1 || true
fi

# npm packages for the test tools (and later the web client), from the lockfiles.
for dir in "$@"; do
  if [ -f "$dir/package-lock.json" ] &&
     { [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

#!/usr/bin/env bash
# Installs, when missing, every Debian package faultline needs to build and
# test with no internet. Idempotent: when everything is present it only runs
# one dpkg-query and exits.
set -euo pipefail

packages=(
  bazel-bootstrap
  g++
  clang-14
  libasan8
  libtsan2
  pkg-config
  libabsl-dev
  libboost-fiber-dev
  libboost-context-dev
  libprotobuf-dev
  protobuf-compiler
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  libfiu-dev
  python3
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "faultline setup: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || {
    echo "faultline setup: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

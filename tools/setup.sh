#!/usr/bin/env bash
# Installs, when missing, every Debian package faultline needs to build and
# test with no internet. Idempotent: when everything is present it only runs
# one dpkg-query and exits.
set -euo pipefail

packages=(
  bazel-bootstrap
  g++
  clang-14
  clang-format
  libclang-rt-14-dev
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
  # bench/seed_race plots the distribution of schedules to the first bug.
  python3-matplotlib
  # kernel61/ extracts Linux 6.1's extent_buffer functions from this
  # package's tarball at build time (/usr/src/linux-source-6.1.tar.xz).
  linux-source-6.1
)

# The kernel61 manifest was written against this Debian version; another
# 6.1.y is accepted as long as extraction's anchors still hold (it fails
# naming what moved if not).
linux_source_tested="6.1.192-3"

check_linux_source() {
  local version
  version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
  if [[ "$version" != 6.1.* ]]; then
    echo "faultline setup: linux-source-6.1 is '$version', expected 6.1.y" >&2
    exit 1
  fi
  if [[ ! -f /usr/src/linux-source-6.1.tar.xz ]]; then
    echo "faultline setup: /usr/src/linux-source-6.1.tar.xz is missing" \
         "(reinstall linux-source-6.1)" >&2
    exit 1
  fi
  if [[ "$version" != "$linux_source_tested" ]]; then
    echo "faultline setup: note: linux-source-6.1 $version (kernel61 was" \
         "written against $linux_source_tested)" >&2
  fi
}

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  check_linux_source
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
check_linux_source

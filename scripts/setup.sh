#!/usr/bin/env bash
# Installs simcheck's build dependencies from Debian's packages when any is missing.
set -euo pipefail
pkgs=(cmake g++ make librapidcheck-dev libcli11-dev libboost-dev googletest libgtest-dev
      nlohmann-json3-dev libbenchmark-dev)
[ "${SIMCHECK_FUZZ:-0}" = 1 ] && pkgs+=(clang libclang-rt-14-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

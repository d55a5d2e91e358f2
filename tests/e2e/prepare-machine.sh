#!/usr/bin/env bash
# Makes this machine look like an E2B sandbox image to the SDK: a user `user` with home /home/user, passwordless sudo
# for it, and python3. Idempotent; needs root (CI runs as root on a fresh Debian machine).
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "prepare-machine.sh must run as root" >&2
  exit 1
fi

missing=()
command -v sudo >/dev/null || missing+=(sudo)
[[ -x /usr/bin/python3 ]] || missing+=(python3)
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! id -u user >/dev/null 2>&1; then
  useradd --create-home --home-dir /home/user --shell /bin/bash user
fi

sudoers=/etc/sudoers.d/user
rule='user ALL=(ALL:ALL) NOPASSWD: ALL'
if [[ ! -f $sudoers || $(cat "$sudoers") != "$rule" ]]; then
  install -d -m 0750 /etc/sudoers.d
  printf '%s\n' "$rule" >"$sudoers.tmp"
  chmod 0440 "$sudoers.tmp"
  visudo -cf "$sudoers.tmp" >/dev/null
  mv "$sudoers.tmp" "$sudoers"
fi

#!/usr/bin/env bash
# Installs, from Debian's packages, the servers the integration tests start (Debian 12; run as root).
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
PACKAGES=(postgresql redis-server radosgw ceph-mon ceph-osd ceph-common clamav-daemon chromium libmagic1 gettext curl wrk)
missing=()
for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Debian's postgresql package starts a cluster of its own on 5432 where it can; ours uses its own port.

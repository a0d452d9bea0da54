#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# deps.sh - installs the Debian packages printgate needs to build, test and
# run, when any is missing.  Runs apt-get as root, or through sudo.
set -eu

pkgs="gcc make pkg-config git curl ca-certificates
libgit2-dev libcurl4-openssl-dev libconfig-dev libcmocka-dev
libmicrohttpd-dev libjansson-dev libssl-dev libsystemd-dev
libpoppler-glib-dev libcairo2-dev libseccomp-dev libjpeg-dev libgif-dev
libwebp-dev zlib1g-dev fonts-dejavu-core
openssl man-db groff-base systemd strace
$*"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "deps: missing packages:$missing; run as root or install sudo" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing

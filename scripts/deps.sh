#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# deps.sh - installs the Debian packages printgate needs to build, test and
# run, when any is missing, and the browser tests' npm package
# (playwright-core, pinned by tests/browser/package-lock.json) with npm ci
# when it is missing or older than the lock file.  Runs apt-get as root,
# or through sudo.  Nothing else is downloaded: the browser tests drive
# Debian's chromium.
set -eu

pkgs="gcc make pkg-config git curl ca-certificates
libgit2-dev libcurl4-openssl-dev libconfig-dev libcmocka-dev
libmicrohttpd-dev libjansson-dev libssl-dev libsystemd-dev
libpoppler-glib-dev libcairo2-dev libseccomp-dev libjpeg-dev libgif-dev
libwebp-dev zlib1g-dev fonts-dejavu-core
openssl man-db groff-base systemd strace iproute2 chromium python3-aiosmtpd
$*"
# Node.js and npm from Debian unless some node is there already (a
# nodejs package from elsewhere brings its own npm)
command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"

# npm ci in tests/browser when playwright-core is missing or stale
browser_packages() {
	dir=$(cd "$(dirname "$0")/.." && pwd)/tests/browser
	stamp=$dir/node_modules/.package-lock.json
	if [ -f "$dir/node_modules/playwright-core/package.json" ] &&
	    [ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ]; then
		return 0
	fi
	echo "deps: npm ci in tests/browser (playwright-core)"
	(cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit \
	    --no-fund --loglevel=error)
}

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	browser_packages
	exit 0
fi

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
browser_packages

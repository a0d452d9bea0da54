#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# before.sh: builds printgate-update as it was before the warm path (the
# commit below, from this checkout's history) once, under bench/cache/,
# and prints its path: the gate benchmark's "no slower than before"
# baseline, measured in the same run on the same machine.  That hook
# decided in its own process and wrote its event as loose objects, with
# no fsync.
set -eu

COMMIT=f41f8e6177d466f103f1a00931e3f253dd6387bf
unset GIT_DIR GIT_WORK_TREE	# the checkout's history, not the repository benchmarked
cd "$(dirname "$0")/.."
dir=$PWD/bench/cache/before-$(echo "$COMMIT" | cut -c1-12)
if [ -x "$dir/build/printgate-update" ]; then
	echo "$dir/build/printgate-update"
	exit 0
fi
git cat-file -e "$COMMIT^{commit}" 2>/dev/null || {
	echo "before.sh: commit $COMMIT is not in this checkout's history;" \
	    "the gate's 'before' baseline needs a full clone (git fetch" \
	    "--unshallow)" >&2
	exit 1
}
rm -rf "$dir"
mkdir -p "$dir"
git archive "$COMMIT" | tar -x -C "$dir"
echo "before.sh: building printgate-update at $COMMIT in $dir" >&2
make -C "$dir" -j2 build/printgate-update >"$dir/build.log" 2>&1 || {
	tail -n 20 "$dir/build.log" >&2
	echo "before.sh: the build at $COMMIT failed (log: $dir/build.log)" >&2
	exit 1
}
echo "$dir/build/printgate-update"

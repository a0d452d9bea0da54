#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# restore.sh HEAD KEEP: puts the ledger (refs/notes/printgate of $GIT_DIR)
# back at HEAD and removes the object files written since KEEP listed
# every file under objects/ (restore.sh --list KEEP writes it): each gate
# run writes its event as one pack (before the warm path, as loose
# objects), and without this the benchmark's hundreds of runs would leave
# hundreds of packs, where `git gc --auto` keeps a real repository under
# gc.autoPackLimit.  A file listed is never removed, even if a run
# freshened it.
set -eu

objects() { (cd "$GIT_DIR/objects" && find . -type f | sort); }
if [ "$1" = --list ]; then
	objects >"$2"
	exit 0
fi
git update-ref refs/notes/printgate "$1"
objects | comm -23 - "$2" | while read -r f; do
	rm -f "$GIT_DIR/objects/$f"
done

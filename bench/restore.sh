#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# restore.sh HEAD KEEP: puts the ledger (refs/notes/printgate of $GIT_DIR)
# back at HEAD and removes the packs written since the file KEEP listed
# objects/pack: each gate run writes its event as one pack, and without
# this the benchmark's hundreds of runs would leave hundreds of packs,
# where `git gc --auto` keeps a real repository under gc.autoPackLimit.
set -eu
git update-ref refs/notes/printgate "$1"
ls "$GIT_DIR/objects/pack" | grep -vxF -f "$2" | while read -r f; do
	rm -f "$GIT_DIR/objects/pack/$f"
done

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# hooks-left.sh CONFDIR - run by make uninstall: names each repository, of
# the configs in CONFDIR (/etc/printgate/*.conf), whose update hook is
# still printgate's.  Once the hook's program is gone every push to such a
# repository is refused (the hook says so), so it tells what to do before
# or after.  Prints nothing when there is nothing left; never fails.
confdir=${1:-/etc/printgate}
marker='# printgate update hook'
[ -d "$confdir" ] || exit 0
for conf in "$confdir"/*.conf; do
	[ -f "$conf" ] || continue
	repo=$(sed -n 's/^[[:space:]]*repository[[:space:]]*=[[:space:]]*"\(.*\)"[[:space:]]*;.*$/\1/p' \
	    "$conf" | head -n 1)
	[ -n "$repo" ] || continue
	case "$repo" in /*) ;; *) repo="$confdir/$repo" ;; esac
	for hooks in "$repo/hooks" "$repo/.git/hooks"; do
		hook="$hooks/update"
		if [ -f "$hook" ] && grep -qF "$marker" "$hook" 2>/dev/null; then
			echo "printgate's update hook is still in $repo ($hook):"
			echo "  every push there is refused once printgate is gone;"
			side=
			[ -e "$hook.printgate" ] && side=" '$hook.printgate'"
			if [ -e "$hook.before-printgate" ]; then
				echo "  put back the hook it replaced:" \
				    "mv '$hook.before-printgate' '$hook'"
				[ -n "$side" ] && echo "  and delete its" \
				    "settings: rm$side"
			else
				echo "  delete it: rm '$hook'$side"
			fi
			echo "  (what 'printgatectl -c $conf uninstall-hook' does," \
			    "run before make uninstall)"
		fi
	done
done
exit 0

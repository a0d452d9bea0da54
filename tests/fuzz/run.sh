#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck disable=SC2086 # word splitting of flags and lists is meant
# run.sh - builds printgate's fuzz targets with clang's libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, runs each in turn, and
# prints a TAP line per target.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS (default 30) is how long each target runs; TARGETs default to
# all of them.  Everything goes under build/fuzz/: the objects and the
# binaries, a working copy of each corpus (the seeds of tests/fuzz/corpus/ are
# copied in; what the fuzzer adds stays there, not in the repository), a
# log per target, and what a target finds, in build/fuzz/crashes/TARGET/.
# Inputs kept in tests/fuzz/crashes/TARGET/ (bugs found before) are replayed
# first: while one still fails, the target is not fuzzed and is not ok.
#
# Exit status: 0 when every target ran clean, 1 when one found something
# or did not build, 2 when clang, its fuzzer runtime or a library is
# missing.  Targets run one after another: each is one process.
set -u

all="form slack mattermost teams api ledger verify config trailers outbox"
all="$all gate render wire html diff token email pagepath pageform picpath"

# The sources each target is built from, as paths without ".c", the
# same files the Makefile's source lists name.
srcs_of() {
	c=daemon/core
	h=daemon/chat
	w=daemon/web
	# what one platform's file needs: the parts its row uses
	chat1="$h/inbound $h/notice $h/answer $c/verify $c/util"
	# the whole table: what a config loader links
	chat="$h/platform $h/slack $h/mattermost $h/teams $h/webhook $h/email"
	chat="$chat $chat1"
	case $1 in
	form) echo "$h/inbound $c/util" ;;
	slack) echo "$h/slack $chat1" ;;
	mattermost) echo "$h/mattermost $chat1" ;;
	teams) echo "$h/teams $chat1" ;;
	api) echo "$h/webhook $chat1" ;;
	email) echo "$h/email $chat1" ;;
	ledger) echo "$c/ledger $c/repo $c/util" ;;
	verify) echo "$h/slack $h/teams $chat1" ;;
	config) echo "$c/config $c/policy $c/ledger $c/repo $chat" ;;
	trailers) echo "$c/repo $c/policy $c/ledger $c/config $c/util" ;;
	outbox) echo "$c/outbox $c/util" ;;
	gate) echo "hooks/gate $c/record $c/review $c/policy $c/ledger" \
	    "$c/repo $c/config $c/log $chat" ;;
	render) echo "daemon/render/job $c/util" ;;
	wire) echo "hooks/wire" ;;
	html) echo "$w/html $c/util" ;;
	diff) echo "$w/diff $w/difftext $w/diffhtml $w/html $c/util" ;;
	token) echo "$w/token $c/verify $c/config $c/policy $c/ledger" \
	    "$c/repo $c/util" ;;
	pagepath | pageform) echo "$w/pagereq $h/inbound $c/util" ;;
	picpath) echo "$w/picpath $c/util" ;;
	esac
}

pkgs="libgit2 libconfig jansson libcurl libmicrohttpd libcrypto libsystemd"

die() {
	echo "fuzz: $1" >&2
	exit 2
}

cd "$(dirname "$0")/../.." || exit 2

secs=30
case "${1:-}" in
[0-9]*)
	case "$1" in
	*[!0-9]*) die "SECONDS must be a whole number, not '$1'" ;;
	esac
	secs=$1
	shift
	;;
esac
targets=${*:-$all}
for t in $targets; do
	case " $all " in
	*" $t "*) ;;
	*) die "unknown target '$t': the targets are $all" ;;
	esac
done

# Debian's clang: clang, else clang-14 or another versioned one.
cc=${CLANG:-}
if [ -z "$cc" ]; then
	for c in clang clang-14 clang-15 clang-16 clang-13; do
		if command -v "$c" >/dev/null 2>&1; then
			cc=$c
			break
		fi
	done
fi
if [ -z "$cc" ] || ! command -v "$cc" >/dev/null 2>&1; then
	die "clang is not installed: apt-get install clang libclang-rt-14-dev"
fi
if ! command -v pkg-config >/dev/null 2>&1 ||
    ! pkg-config --exists $pkgs; then
	die "missing libraries ($pkgs): run scripts/deps.sh"
fi

out=build/fuzz
mkdir -p "$out/obj" "$out/corpus" "$out/crashes" || exit 2

# the Makefile's language and warnings, with the sanitizers; the fuzz
# files do without -Wno-unused-parameter
warn="-Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes
  -Wmissing-prototypes -Wpointer-arith -Wvla -Wundef
  -Wimplicit-fallthrough"
flags="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
  -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude
  $(pkg-config --cflags $pkgs)"
libs=$(pkg-config --libs $pkgs)

# libFuzzer's runtime comes with libclang-rt-NN-dev, not with clang.
probe="$out/probe"
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
    '{ (void)d; (void)n; return 0; }' >"$probe.c"
# shellcheck disable=SC2086
"$cc" -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" \
    >"$probe.log" 2>&1 ||
	die "$cc cannot build a fuzzer (see $probe.log): apt-get install \
libclang-rt-14-dev (the fuzzer runtime of your clang's version)"

# Where the targets' temporary folders go: memory when there is some,
# since the outbox target fsyncs every file it writes.
tmpbase=$out/tmp
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	tmpbase=/dev/shm
fi
mkdir -p "$tmpbase" || exit 2

# Whether file $1 is missing or older than any of the others.
stale() {
	f=$1
	shift
	[ -e "$f" ] || return 0
	[ -n "$(find "$@" -newer "$f" -print 2>/dev/null | head -n 1)" ]
}

# Builds $1.c into $out/obj/$1.o with coverage for the fuzzer.
build_obj() {
	o="$out/obj/$1.o"
	mkdir -p "${o%/*}"
	stale "$o" "$1.c" include || return 0
	echo "# cc $1.c"
	"$cc" $flags $warn -Wno-unused-parameter -fsanitize=fuzzer-no-link \
	    -c -o "$o" "$1.c"
}

# Builds the target $1 into $out/fuzz_$1.
build_target() {
	objs=""
	for s in $(srcs_of "$1"); do
		build_obj "$s" || return 1
		objs="$objs $out/obj/$s.o"
	done
	bin="$out/fuzz_$1"
	stale "$bin" "tests/fuzz/fuzz_$1.c" tests/fuzz/fuzz.h $objs || return 0
	echo "# cc tests/fuzz/fuzz_$1.c"
	"$cc" $flags $warn -fsanitize=fuzzer -o "$bin" "tests/fuzz/fuzz_$1.c" \
	    $objs $libs
}

# The value of libFuzzer's final stat $2 in log $1, or "?".
final_stat() {
	v=$(sed -n "s/^stat::$2: *\([0-9]*\).*/\1/p" "$1" | tail -n 1)
	echo "${v:-?}"
}

# What the log $1 says went wrong, as TAP comments: the sanitizer's or
# the contract's words, and the first frames in printgate's own code.
explain() {
	{
		grep -E 'ERROR: |SUMMARY: |contract broken|runtime error' "$1"
		grep -E '(Direct|Indirect) leak|(READ|WRITE) of size' "$1"
	} | head -n 8 | sed 's/^/#   /'
	# the first frames in daemon/, hooks/ or tests/fuzz/
	grep -E '^ *#[0-9]+ .* (/[^ ]*/)?(daemon/[a-z]+|hooks|fuzz)/[a-z_]+\.c:' "$1" |
	    head -n 6 | sed 's/^/#   /'
}

# a stack with every report of undefined behaviour
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export UBSAN_OPTIONS

set -- $targets
echo "1..$#"
n=0
failed=0
for t in $targets; do
	n=$((n + 1))
	log="$out/$t.log"
	if ! build_target "$t" >"$out/$t.build.log" 2>&1; then
		sed 's/^/#   /' "$out/$t.build.log"
		echo "not ok $n - fuzz $t: does not build" \
		    "(see $out/$t.build.log)"
		failed=1
		continue
	fi
	bin="$out/fuzz_$t"
	tmp=$(mktemp -d "$tmpbase/printgate-fuzz-run.XXXXXX") || exit 2

	# inputs that found bugs before: fuzzing waits until they pass
	known=""
	if [ -d "tests/fuzz/crashes/$t" ]; then
		for f in "tests/fuzz/crashes/$t"/*; do
			[ -f "$f" ] || continue
			if ! TMPDIR=$tmp "$bin" -timeout=10 -rss_limit_mb=2048 \
			    "$f" >"$log" 2>&1; then
				known=$f
				break
			fi
		done
	fi
	if [ -n "$known" ]; then
		rm -rf "$tmp"
		explain "$log"
		echo "not ok $n - fuzz $t: crash, input saved in $known" \
		    "(found before, still fails; see $log)"
		failed=1
		continue
	fi

	corpus="$out/corpus/$t"
	art="$out/crashes/$t"
	mkdir -p "$corpus" "$art"
	if [ -d "tests/fuzz/corpus/$t" ]; then
		cp -p "tests/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null
	fi
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	stamp="$out/.$t.stamp"
	: >"$stamp"
	TMPDIR=$tmp "$bin" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$art/" $dict "$corpus" >"$log" 2>&1
	rc=$?
	rm -rf "$tmp"
	# what libFuzzer saved: crash-, leak-, timeout-, oom-; not slow-unit-
	found=$(find "$art" -type f -newer "$stamp" ! -name 'slow-unit-*' \
	    -print | head -n 1)
	runs=$(final_stat "$log" number_of_executed_units)
	speed=$(final_stat "$log" average_exec_per_sec)
	rss=$(final_stat "$log" peak_rss_mb)
	if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
		echo "ok $n - fuzz $t: $runs runs, no crash"
		echo "#   $speed exec/s, peak RSS $rss MB," \
		    "$(find "$corpus" -type f | wc -l) corpus files"
		continue
	fi
	failed=1
	explain "$log"
	if [ -n "$found" ]; then
		echo "not ok $n - fuzz $t: crash, input saved in $found" \
		    "(see $log)"
	else
		echo "not ok $n - fuzz $t: libFuzzer exited with $rc (see $log)"
	fi
done
exit $failed

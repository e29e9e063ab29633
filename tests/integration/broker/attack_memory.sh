#!/bin/bash
# attack_memory.sh BUILD SRC RAWCLIENT — issue 11, item 1: bytes queued
# towards one peer are bounded. A (ventimiglia) publishes one message of
# about 1 MiB, its own, then asks for it 300 times on a connection it
# never reads. Before issue 11 the broker queued every answer in libzmq
# (about +300 MiB of memory); now the bytes outstanding towards one
# session are bounded by peer_queue_bytes (docs/operations.md, "Memory
# bounds") and the rest is answered BUSY. Meanwhile another principal
# publishes and receives as usual, and the busy line is logged once.
set -u
BUILD=$1 SRC=$2 RAW=$3
# Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
# default) and would count as growth: a small one (no effect otherwise).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
. "$(dirname "$0")/lib.sh"

lia_exchange
A=ventimiglia
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$BPID/status"; }

# Fifteen incompressible references of 60 KiB: about 1 MiB sealed.
python3 - "$T/big.json" <<'PY'
import base64, json, os, sys
refs = [base64.b64encode(os.urandom(45000)).decode() for _ in range(15)]
json.dump({"title": "large report", "technical": {"domain": "detection", "references": refs}}, open(sys.argv[1], "w"))
PY
run 0 "$L" publish --profile $A --kind technical --tlp GREEN --region MED-CENTRAL --body "$T/big.json" \
	--to IT-PS/roma --json
expect_in "$T/out" '"accepted":true'
ID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")

before=$(rss)
"$RAW" $A fetch-flood "$ID" 300 12 >"$T/flood" 2>&1 &
BURST=$!
# While the flood waits unread: another principal is served as usual.
sleep 2
"$L" publish --profile valletta --kind carrier --tlp GREEN --region MED-CENTRAL --title "meanwhile" \
	--set vessel.name=meanwhile --to IT-PS/roma --json >"$T/pub2" 2>&1 || bad "valletta's publish: $(cat "$T/pub2")"
run 0 "$L" listen --profile roma --count 2 --timeout 20 --json
[ "$(grep -c '"event":"message"' "$T/out")" = 2 ] && ok || bad "roma received $(grep -c '"event":"message"' "$T/out") of 2 during the flood"
peak=0
for _ in $(seq 16); do
	r=$(rss)
	[ "${r:-0}" -gt "$peak" ] && peak=$r
	sleep 0.5
done
growth=$(((peak - before) / 1024))
echo "broker VmRSS before=$((before / 1024)) MiB peak=$((peak / 1024)) MiB growth=$growth MiB"
# One session's bound: peer_queue_bytes (8 MiB) plus one maximal frame
# and slack for the allocator.
[ "$growth" -lt 48 ] && ok || bad "the broker grew by $growth MiB for one unread peer (bound: 48)"
wait "$BURST"
BURST=
cat "$T/flood"
expect_in "$T/flood" "replies deliver=[1-9]"
grep -q "replies .*busy=[1-9]" "$T/flood" && ok || bad "the flooder was never told BUSY"
n=$(count "peer-busy subject=.*$A ")
[ "$n" -ge 1 ] && [ "$n" -le 3 ] && ok || bad "peer-busy logged $n times for one flood (expected once per interval)"
kill -0 "$BPID" 2>/dev/null && ok || bad "the broker died"

lia_done attack_memory

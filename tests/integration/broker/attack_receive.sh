#!/bin/bash
# attack_receive.sh BUILD SRC RAWCLIENT — issue 11, item 1, the receiving
# side: bytes libzmq reads for the broker from one connection are bounded.
# While the broker's loop is stalled (here: its commit waits for a write
# lock another process holds on the store, as a stuck disk or a careless
# operator would make it wait), a principal pushes large frames at it.
# libzmq's I/O thread keeps reading them into the connection's receive
# queue; before this fix that queue was bounded at 10,000 messages, about
# 16 GiB of frames, and the broker grew by every frame sent (+300 MiB
# here). Now the ROUTER's queue holds a few frames per connection
# (docs/operations.md, "Memory bounds") and TCP pushes back on the sender;
# and one principal's connections are bounded in number: the old broker
# refused a ninth session but kept reading the connection (it answered
# its frames "send hello first"), so twelve connections could hold twelve
# receive queues.
set -u
BUILD=$1 SRC=$2 RAW=$3
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
. "$(dirname "$0")/lib.sh"

lia_exchange
A=ventimiglia
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$BPID/status"; }
DB=$(ls "$X"/data/*.db)

mkfifo "$T/go"
"$RAW" $A big-pipe 200 12 <"$T/go" >"$T/pipe" 2>&1 &
BURST=$!
exec 7>"$T/go"
for _ in $(seq 100); do grep -q ready "$T/pipe" && break; sleep 0.1; done
expect_in "$T/pipe" ready

# The stall: a write lock on the store for 4 s (the broker waits up to
# 5 s for it), and a publish that makes the broker's turn wait for it.
python3 - "$DB" "$T/locked" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(4)
c.execute("ROLLBACK")
PY
LOCK=$!
for _ in $(seq 100); do [ -e "$T/locked" ] && break; sleep 0.05; done
"$L" publish --profile valletta --kind carrier --tlp GREEN --region MED-CENTRAL --title "stalled" \
	--set vessel.name=stalled --to IT-PS/roma --json >"$T/pub" 2>&1 &
PUB=$!
sleep 0.5
before=$(rss)
echo go >&7
peak=$before
for _ in $(seq 20); do
	r=$(rss)
	[ "${r:-0}" -gt "$peak" ] && peak=$r
	sleep 0.15
done
wait "$LOCK"
growth=$(((peak - before) / 1024))
echo "broker VmRSS during the stall: before=$((before / 1024)) MiB peak=$((peak / 1024)) MiB growth=$growth MiB"
# A few maximal frames (1.6 MiB each) for the one connection, and slack.
[ "$growth" -lt 40 ] && ok || bad "the broker grew by $growth MiB while stalled under one connection's frames (bound: 40)"
wait "$PUB" && ok || bad "the stalled publish failed: $(cat "$T/pub")"
expect_in "$T/pub" '"accepted":true'
exec 7>&-
wait "$BURST"
BURST=
cat "$T/pipe"
# Once the stall ends the broker reads the rest and answers each frame.
expect_in "$T/pipe" "big-pipe sent [1-9]"
run 0 "$L" listen --profile roma --count 1 --timeout 20 --json
expect_in "$T/out" stalled

# What one principal can make the broker hold grows with its connections:
# they are bounded (connections_per_principal, 8), the newcomer past the
# bound is refused, the first eight keep working, one line says so.
"$RAW" $A conns 12 >"$T/conns" 2>&1
cat "$T/conns"
expect_in "$T/conns" "conns opened 8 of 12 pinged 8"
expect_in "$T/conns" "conns-refused: .*too many connections of this principal"
expect_in "$T/conns" "refused-ping: too many connections of this principal"
n=$(count "connections-refused count=.* reason=connections_per_principal limit=8 last_key=")
[ "$n" -ge 1 ] && [ "$n" -le 2 ] && ok || bad "connections-refused logged $n times (expected once per interval)"
# Others are not affected, and the principal's next command works.
run 0 "$L" publish --profile valletta --kind carrier --tlp GREEN --region MED-CENTRAL --title after \
	--set vessel.name=after --to IT-PS/roma --json
run 0 "$L" inbox --profile $A --json
kill -0 "$BPID" 2>/dev/null && ok || bad "the broker died"

lia_done attack_receive

#!/bin/bash
# attack_descriptors.sh BUILD SRC RAWCLIENT — issue 11, item 4: descriptor
# exhaustion by half-open connections. A broker started with a soft
# RLIMIT_NOFILE of 1024 is flooded from 127.0.0.2 with more half-open TCP
# connections than that (flood_fds.py: half send nothing, half half a ZMTP
# greeting, and each one the broker closes is reopened) while an agent on
# 127.0.0.1 listens and another publishes: both must be served within
# seconds. Twice: once where the broker can raise its soft limit to the
# hard one, once with the hard limit 1024 too, where only the handshake
# timeout and the per-address bound protect it; and a third time from 40
# addresses, each under the per-address bound, where the bound on all
# unauthenticated connections (half the soft limit) protects it. The log
# must say what the broker did once per interval, not once per connection.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

N=1100 D=15 # connections held, seconds of flood
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $((N + 200)) ]; then
	echo "SKIP: the hard descriptor limit ($hard) is below $((N + 200)): the flood cannot outnumber a soft limit of 1024"
	exit 0
fi
ulimit -Sn 1024
lia_exchange

# flood_round LABEL [SOURCES]: the flood, and an agent served during it.
flood_round() {
	rm -f "$T/flood"
	python3 "$SRC/tests/integration/broker/flood_fds.py" "$PORT" $N $D "$T/flood" "${2:-1}" &
	BURST=$!
	for _ in $(seq 100); do [ -s "$T/flood" ] && break; sleep 0.1; done
	echo "$1: flood under way: $(cat "$T/flood" 2>/dev/null)"
	local t0=$SECONDS
	listen_bg roma IT-PS/roma "$T/listen" 15
	run 0 "$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
		--title "during the flood $1" --set vessel.name="F$1" --to IT-PS/roma --json --timeout-ms 10000
	expect_in "$T/out" '"accepted":true'
	for _ in $(seq 100); do grep -q "during the flood $1" "$T/listen" && break; sleep 0.1; done
	if grep -q "during the flood $1" "$T/listen"; then ok; else bad "$1: roma did not receive during the flood"; fi
	local took=$((SECONDS - t0))
	[ "$took" -le 15 ] && ok || bad "$1: the agents took ${took}s during the flood"
	echo "$1: agents served in ${took}s"
	kill "$LPID" 2>/dev/null
	wait "$BURST"
	echo "$1: flood over: $(cat "$T/flood")"
	local closed
	closed=$(sed -n 's/.*closed_by_broker=\([0-9]*\).*/\1/p' "$T/flood")
	[ "${closed:-0}" -gt 0 ] && ok || bad "$1: the broker closed none of the half-open connections"
}
# Lines of EVENT: at least one, and at most one per 10 s of flood (+ 2).
once_per_interval() {
	local n
	n=$(count "$1")
	[ "$n" -ge "$2" ] && [ "$n" -le $((D / 10 + 2)) ] && ok ||
		bad "$n lines of \"$1\" (expected $2 .. $((D / 10 + 2)))"
}
stop_broker() { # SIGTERM, and a clean stop within 10 s
	kill -TERM "$BPID"
	for _ in $(seq 100); do kill -0 "$BPID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$BPID" 2>/dev/null && bad "the broker did not stop on SIGTERM"
	wait "$BPID" 2>/dev/null
	BPID=
}

# --- 1: the broker raises its soft limit to the hard one ---
expect_in "$X/broker.log" "descriptors soft=$hard hard=$hard"
flood_round raised
once_per_interval handshakes-shut 1
stop_broker
expect_in "$X/broker.log" "stopped clean"

# --- 2: hard limit 1024: nothing to raise; 3: the same, from 40 sources ---
start_hard1024() { # a broker with a fresh log of its own
	mv "$X/broker.log" "$X/broker.$1.log"
	(ulimit -Hn 1024 && exec "$BROKER" --config "$X/broker.yaml") >>"$X/broker.log" 2>&1 &
	BPID=$!
	for _ in $(seq 100); do [ "$(count "listening endpoint")" -gt 0 ] && break; sleep 0.1; done
	expect_in "$X/broker.log" "descriptors soft=1024 hard=1024"
	expect_in "$X/broker.log" "descriptors-low"
}
start_hard1024 1
flood_round hard1024
once_per_interval handshakes-shut 1
n=$(count descriptors-exhausted)
[ "$n" -le $((D / 10 + 2)) ] && ok || bad "$n descriptors-exhausted lines"
stop_broker
expect_in "$X/broker.log" "stopped clean"
start_hard1024 2
flood_round sources40 40
# 1100 / 40 is under the per-address 32: every shutdown here is the total bound.
once_per_interval "handshakes-shut .* total=512" 1
stop_broker
expect_in "$X/broker.log" "stopped clean"
[ "$fails" -eq 0 ] || for f in "$X"/broker.1.log "$X"/broker.2.log "$X"/broker.log; do
	echo "--- $f"; grep -v checkpoint "$f" | tail -20
done
lia_done attack_descriptors

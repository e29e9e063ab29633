#!/bin/bash
# lib.sh — what every broker integration script shares: the programs, a
# temporary folder removed on exit, pass/fail counting, a broker started
# and restarted on a port of its own, listeners in the background, SIGHUP
# with a wait for the reload. Source it after setting BUILD, SRC and RAW;
# then call lia_exchange to build an exchange in $X and start the broker.
L="$BUILD/agent/liaison" CERTS="$BUILD/certs/liaison-certs"
BROKER="$BUILD/broker/liaison-broker" AUDIT="$BUILD/audit/liaison-audit"
T=$(mktemp -d)
# Four consecutive ports (PORT .. PORT + 3: scripts use PORT + 1 for "no
# broker there" and a second broker), free now: below the kernel's range
# for outgoing ports (32768-60999), so that an agent retrying PORT + 1 can
# never connect to itself (libzmq #4588), and drawn at random with a bind
# test, so that scripts running side by side (ctest -j) do not meet. A
# port derived from the PID did: ctest starts scripts with consecutive
# PIDs, so one script's PORT was the next one's PORT + 1.
lia_free_port() {
	python3 - <<'PY'
import random, socket
for _ in range(500):
    p = random.randrange(10000, 32000, 4)
    socks, free = [], True
    for q in range(p, p + 4):
        s = socket.socket()
        socks.append(s)
        try:
            s.bind(("127.0.0.1", q))
        except OSError:
            free = False
    for s in socks:
        s.close()
    if free:
        print(p)
        break
PY
}
PORT=$(lia_free_port)
[ -n "$PORT" ] || { echo "FAIL: no free port"; exit 1; }
BPID= BURST= LPID=
cleanup() {
	for p in $BURST $LPID; do kill "$p" 2>/dev/null; done
	[ -n "$BPID" ] && kill -9 "$BPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

run() { # run EXPECTED-EXIT CMD...
	local want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "exit $got, expected $want: $*"
		sed 's/^/  | /' "$T/out" "$T/err" | head -20
	fi
}
expect_in() { # expect_in FILE TEXT
	if grep -q -- "$2" "$1"; then ok; else bad "\"$2\" not in $(basename "$1"):"; sed 's/^/  | /' "$1" | head -20; fi
}

count() { # lines of the broker's log holding TEXT (0 before it exists)
	local n
	n=$(grep -c -- "$1" "$X/broker.log" 2>/dev/null)
	echo "${n:-0}"
}
start_broker() { # start_broker [ARGS...]: the log is appended to: wait
	# for one more "listening"
	local before
	before=$(count "listening endpoint=tcp://127.0.0.1:$PORT")
	"$BROKER" --config "$X/broker.yaml" "$@" >>"$X/broker.log" 2>&1 &
	BPID=$!
	for _ in $(seq 100); do
		[ "$(count "listening endpoint=tcp://127.0.0.1:$PORT")" -gt "$before" ] &&
			kill -0 "$BPID" 2>/dev/null && return 0
		sleep 0.1
	done
	bad "broker did not start"; cat "$X/broker.log"; return 1
}
start_restored() { # the store was replaced by an older copy: the broker
	# refuses it (exit 3, naming how many acknowledged records are missing
	# and the size to accept), then starts accepting that size
	local size
	size=$(sqlite3 "$X/data/liaison.db" "SELECT count(*) FROM ledger_record")
	run 3 "$BROKER" --config "$X/broker.yaml"
	expect_in "$T/err" "the ledger was rolled back: it holds $size records, but [0-9]* were committed"
	expect_in "$T/err" "start once with --accept-ledger $size\$"
	start_broker --accept-ledger "$size"
}
listen_bg() { # listen_bg PROFILE SUBJECT OUT SECONDS: listen in the background
	# (JSON), and return once the broker has its receiving session.
	local before
	before=$(count "session subject=$2 client=.* receive=1")
	"$L" listen --profile "$1" --timeout "$4" --json >"$3" 2>/dev/null &
	LPID=$!
	for _ in $(seq 100); do
		[ "$(count "session subject=$2 client=.* receive=1")" -gt "$before" ] && return 0
		sleep 0.1
	done
	bad "the listener of $2 did not connect"
}
hup() { # SIGHUP, and wait until the broker has finished reloading
	local before
	before=$(count "reload-done")
	kill -HUP "$BPID"
	for _ in $(seq 100); do
		[ "$(count "reload-done")" -gt "$before" ] && return 0
		sleep 0.1
	done
	bad "the broker did not finish a reload"
}

# lia_expired_principal: IT-GDF/old, whose certificate expired in 2021, in
# the broker's directory (reloaded), with its profile "old".
lia_expired_principal() {
	"$CERTS" keygen --subject IT-GDF/old --dir "$X/old" --insecure >/dev/null
	"$CERTS" issue --authority "$X/authority" --request "$X/old/request.req" --agency IT-GDF \
		--country IT --role liaison --not-before 2020-01-01 --not-after 2021-01-01 --out "$X/old/cert.crt" >/dev/null
	cp "$X/old/cert.crt" "$X/certs/old.crt"
	sed "s#$X/ventimiglia#$X/old#" "$X/profiles/ventimiglia.yaml" >"$X/profiles/old.yaml"
	hup
}

# lia_exchange: an exchange in $X (scripts/mkexchange.sh: authority,
# offices, profiles, broker config) and its broker, started.
lia_exchange() {
	X="$T/x"
	"$SRC/scripts/mkexchange.sh" "$BUILD" "$X" "$PORT" || { echo "FAIL: mkexchange"; exit 1; }
	export LIAISON_PROFILES="$X/profiles"
	start_broker || exit 1
}
# lia_done NAME: the closing line, and the exit status.
lia_done() {
	echo "$1: $passes passed, $fails failed"
	[ "$fails" -eq 0 ]
}

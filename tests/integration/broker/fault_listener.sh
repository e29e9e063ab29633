#!/bin/bash
# fault_listener.sh BUILD SRC LIAISON-HOOKED — issue 12, items 1 and 2: a
# listener stopped at any moment never loses a message it acknowledged,
# and --timeout is honoured whatever its length.
#
# 1. Killed at each step of showing a delivery (liaison-hooked kills
#    itself there: received, pending, output, shown, acked), then run
#    again: every message is shown at least once; a second showing is
#    marked "repeat": true; messages recorded as shown are not shown again.
#    A KEYS/seen file from before (ids written before showing) is taken
#    as "maybe not shown": its message is shown, marked as a repeat.
# 2. A listener whose standard output is a pipe nobody reads (4 KiB) while
#    30 messages arrive: (a) unblocked, it shows every one exactly once;
#    (b) killed with kill -9 while blocked, and run again: none is lost.
# 3. listen --timeout 15 with nothing to show ends after 15 s (the
#    keep-alive pings every 10 s do not count as something shown).
set -u
BUILD=$1 SRC=$2 HOOKED=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
pub() { # pub TAG: one message from ventimiglia to roma, titled TAG; prints its id
	"$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
		--title "$1" --set vessel.name="$1" --to IT-PS/roma --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])' || bad "publish $1"
}
# shows FILE...: per title, how often it was shown and with which marks:
# "TITLE N rr" (r: marked repeat, -: not), one line each, sorted. Lines
# that are not whole JSON objects (a line torn by a kill) are skipped.
shows() {
	python3 - "$@" <<'PY'
import json, sys
seen = {}
for path in sys.argv[1:]:
    for line in open(path, errors="replace"):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("event") != "message":
            continue
        t = e["body"]["title"] if isinstance(e.get("body"), dict) and "title" in e["body"] else json.dumps(e["body"])
        seen.setdefault(t, []).append("r" if e.get("repeat") else "-")
for t in sorted(seen):
    print(t, len(seen[t]), "".join(seen[t]))
PY
}
expect_shows() { # expect_shows WANT FILE...: the shows line of a title
	local got
	got=$(shows "${@:2}" | grep -F -- "${1%% *} " || true)
	[ "$got" = "$1" ] && ok || bad "shown: \"$got\", expected \"$1\" (in ${*:2})"
}

# Nothing of what comes below is pending for roma yet: drain it.
"$L" listen --profile roma --json --timeout 2 >/dev/null 2>&1

# 1. Killed at each point, on the second of three messages.
for p in received pending output shown acked; do
	for i in 1 2 3; do pub "$p-$i" >/dev/null; done
	LIAISON_TEST_KILL="$p:2" "$HOOKED" listen --profile roma --json --timeout 5 >"$T/$p.1" 2>"$T/$p.1.err"
	rc=$?
	[ $rc = 137 ] && ok || bad "$p: the hooked listener exited $rc, not killed (137): $(cat "$T/$p.1.err")"
	"$L" listen --profile roma --json --timeout 2 >"$T/$p.2" 2>"$T/$p.2.err" || bad "$p: the second listener failed: $(cat "$T/$p.2.err")"
	expect_shows "$p-1 1 -" "$T/$p.1" "$T/$p.2"
	expect_shows "$p-3 1 -" "$T/$p.1" "$T/$p.2"
	case $p in
	received) expect_shows "$p-2 1 -" "$T/$p.1" "$T/$p.2" ;;    # never recorded: shown once, plainly
	pending) expect_shows "$p-2 1 r" "$T/$p.1" "$T/$p.2" ;;     # may have been shown: marked
	output) expect_shows "$p-2 2 -r" "$T/$p.1" "$T/$p.2" ;;     # it was: shown again, marked
	shown | acked) expect_shows "$p-2 1 -" "$T/$p.1" "$T/$p.2" ;; # recorded shown: not again
	esac
done
f="$X/roma/shown"
[ -f "$f" ] && [ "$(stat -c %a "$f")" = 600 ] && ok || bad "no KEYS/shown of mode 0600: $(ls -l "$X/roma")"

# A KEYS/seen from before issue 12 naming a message not acknowledged yet.
id=$(pub import)
rm -f "$f"
python3 -c "import sys; open(sys.argv[1], 'wb').write(bytes.fromhex(sys.argv[2]))" "$X/roma/seen" "$id"
chmod 600 "$X/roma/seen"
"$L" listen --profile roma --json --timeout 2 >"$T/import" 2>&1
expect_shows "import 1 r" "$T/import"
[ ! -e "$X/roma/seen" ] && [ -f "$f" ] && ok || bad "KEYS/seen was not replaced by KEYS/shown: $(ls "$X/roma")"

# 2. A blocked standard output. The holder opens the FIFO, shrinks it to
# 4 KiB and reads nothing until $T/go exists; then it copies all to OUT.
hold() { # hold FIFO OUT &
	python3 - "$1" "$2" "$T/go" <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
fcntl.fcntl(fd, 1031, 4096)  # F_SETPIPE_SZ
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
os.set_blocking(fd, True)
with open(sys.argv[2], "wb") as out:
    while True:
        b = os.read(fd, 65536)
        if not b:
            break
        out.write(b)
PY
	HPID=$!
	for _ in $(seq 50); do [ -e "/proc/$HPID/fd" ] && ls -l "/proc/$HPID/fd" 2>/dev/null | grep -q "$1" && break; sleep 0.05; done
}
blocked() { # blocked TAG: a listener on a held FIFO while 30 messages arrive
	rm -f "$T/go" "$T/fifo"; mkfifo "$T/fifo"
	hold "$T/fifo" "$T/$1.out"
	"$L" listen --profile roma --json --timeout 4 >"$T/fifo" 2>"$T/$1.err" &
	LPID=$!
	for i in $(seq 30); do pub "$1-$i" >/dev/null; done
	sleep 0.5
	kill -0 "$LPID" 2>/dev/null && ok || bad "$1: the listener did not block: $(cat "$T/$1.err")"
	n=$(sqlite3 -cmd ".timeout 5000" "$X/data/liaison.db" "SELECT count(*) FROM deliveries
		WHERE recipient = 'IT-PS/roma' AND acked_at = 0")
	[ "$n" -gt 10 ] && ok || bad "$1: only $n deliveries unacknowledged: the listener was not blocked"
	echo "$1: listener blocked with $n of 30 deliveries unacknowledged"
}
blocked unblocked
touch "$T/go"
wait "$LPID"; rc=$?; LPID=
wait "$HPID"
[ $rc = 0 ] && ok || bad "unblocked: the listener exited $rc: $(cat "$T/unblocked.err")"
for i in $(seq 30); do expect_shows "unblocked-$i 1 -" "$T/unblocked.out"; done

blocked killed
kill -9 "$LPID"; wait "$LPID" 2>/dev/null; LPID=
touch "$T/go"
wait "$HPID"
"$L" listen --profile roma --json --timeout 2 >"$T/killed.2" 2>"$T/killed.2.err" || bad "killed: the second listener failed"
lost=0 twice=0 marked=0
for i in $(seq 30); do
	s=$(shows "$T/killed.out" "$T/killed.2" | grep -F -- "killed-$i " || true)
	case $s in
	"killed-$i 1 -" | "killed-$i 1 r" | "killed-$i 2 -r") ;;
	"") lost=$((lost + 1)); bad "killed-$i was never shown" ;;
	*) bad "killed-$i: shown \"$s\"" ;;
	esac
	[ "${s#* 2 }" != "$s" ] && twice=$((twice + 1))
	[ "${s%r}" != "$s" ] && marked=$((marked + 1))
done
[ $lost = 0 ] && ok
[ $marked -ge 1 ] && ok || bad "killed: the message being written when the listener was killed is not marked as a repeat"
echo "killed while blocked: $(shows "$T/killed.out" | wc -l) shown before the kill, $marked marked as repeats ($twice shown twice), $lost lost"

# 3. --timeout above the 10 s keep-alive.
t0=$(date +%s)
timeout 45 "$L" listen --profile roma --timeout 15 >"$T/t15" 2>"$T/t15.err"
rc=$? t=$(($(date +%s) - t0))
[ $rc = 0 ] && [ $t -ge 15 ] && [ $t -le 20 ] && ok || bad "listen --timeout 15 ended after $t s with exit $rc (want 15..20 s, exit 0)"

lia_done fault_listener

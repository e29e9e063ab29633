#!/bin/bash
# fault_kill9.sh BUILD SRC RAWCLIENT — issue 12, item 7: kill -9 under
# load, many times. Three publishers (ventimiglia, valletta, zagreb) each
# publish a burst to roma and piraeus, whose `liaison listen --json` run
# for the whole script; at a random moment of the burst the broker is
# killed with kill -9 and started again at once on the same store and
# port. After each restart: every message a publisher was told was
# accepted is stored, nothing is half-stored (every message has its
# deliveries, its publish record and a disclose record per delivery;
# every delivery acknowledged has its acknowledge record), and the ledger
# verifies. At the end: every delivery to the listeners was shown exactly
# once to its recipient.
#
# LIA_KILL9_CYCLES (default 20) and LIA_KILL9_SEED (default: random,
# printed) replay or extend it: LIA_KILL9_CYCLES=100 for a long run.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

CYCLES=${LIA_KILL9_CYCLES:-20}
SEED=${LIA_KILL9_SEED:-$RANDOM}
RANDOM=$SEED
echo "fault_kill9: $CYCLES cycles, seed $SEED (LIA_KILL9_SEED=$SEED replays it)"

lia_exchange
DB="$X/data/liaison.db"
PUBS="ventimiglia valletta zagreb"
SUBS="roma piraeus"

declare -A LP
for s in $SUBS; do
	"$L" listen --profile "$s" --json --timeout 900 >"$T/shown.$s" 2>"$T/listen.$s.err" &
	LP[$s]=$!
done
LPID="${LP[*]}"
for _ in $(seq 100); do
	[ "$(count "receive=1")" -ge 2 ] && break
	sleep 0.1
done

burst() { # burst PUB CYCLE: a few messages, one publish each
	for i in 1 2 3 4 5 6; do
		"$L" publish --profile "$1" --kind carrier --tlp GREEN --region MED-CENTRAL \
			--title "$1 c$2 m$i" --set vessel.name="$1 c$2 m$i" \
			--to IT-PS/roma --to GR-HCG/piraeus --json >>"$T/pub.$1" 2>>"$T/pub.$1.err"
	done
}
# check MODE: the store and ledger against what publishers were told
# (MODE cycle), and what the listeners showed (MODE final).
check() {
	python3 - "$1" "$DB" "$T" "$PUBS" "$SUBS" "$AUDIT" <<'PY'
import json, sqlite3, subprocess, sys
mode, db, t, pubs, subs, audit = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(), sys.argv[5].split(), sys.argv[6]
who = {"roma": "IT-PS/roma", "piraeus": "GR-HCG/piraeus"}
c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
msgs = {bytes(r[0]).hex(): (r[1], r[2]) for r in c.execute(
    "SELECT id, seq, recipients FROM messages WHERE envelope IS NOT NULL AND length(envelope) > 0")}
nmsg = c.execute("SELECT count(*) FROM messages").fetchone()[0]
dels = {}
for mid, rcpt, acked in c.execute(
        "SELECT m.id, d.recipient, d.acked_at FROM deliveries d JOIN messages m ON m.seq = d.message_seq"):
    dels.setdefault(bytes(mid).hex(), []).append((rcpt, acked))
# The ledger read after the store (the broker runs on): it holds at least
# the records of everything read above.
q = subprocess.run([audit, "query", "--ledger", db, "--json", "--quiet"], capture_output=True, text=True)
if q.returncode != 0:
    print("FAIL: liaison-audit query:", q.stderr[:300])
    sys.exit(1)
recs = [json.loads(l) for l in q.stdout.splitlines()]
published = {r["message_id"] for r in recs if r["operation"] == "publish"}
disclosed = {(r["message_id"], r["recipient"]["subject"]) for r in recs if r["operation"] == "disclose"}
acknowledged = {(r.get("message_id"), r["actor"]["subject"]) for r in recs if r["operation"] == "acknowledge"}
fails = []
acked_ids = set()
for p in pubs:
    try:
        lines = open("%s/pub.%s" % (t, p)).read().splitlines()
    except FileNotFoundError:
        lines = []
    for l in lines:
        try:
            j = json.loads(l)
        except ValueError:
            continue
        if j.get("accepted"):
            acked_ids.add(j["id"])
for i in sorted(acked_ids - set(msgs)):
    fails.append("acknowledged message %s is not stored" % i)
if nmsg != len(msgs):
    fails.append("%d messages stored without their envelope" % (nmsg - len(msgs)))
for i, (seq, n) in msgs.items():
    d = dels.get(i, [])
    if len(d) != n:
        fails.append("message %s: %d deliveries stored, %d recorded in the message" % (i, len(d), n))
    if i not in published:
        fails.append("message %s has no publish record" % i)
    for rcpt, acked in d:
        if (i, rcpt) not in disclosed:
            fails.append("delivery of %s to %s has no disclose record" % (i, rcpt))
        if acked and (i, rcpt) not in acknowledged:
            fails.append("acknowledged delivery of %s to %s has no acknowledge record" % (i, rcpt))
if mode == "final":
    for s in subs:
        shown = {}
        for l in open("%s/shown.%s" % (t, s)):
            try:
                e = json.loads(l)
            except ValueError:
                continue
            if e.get("event") == "message":
                shown[e["header"]["id"]] = shown.get(e["header"]["id"], 0) + 1
        owed = {i for i, d in dels.items() for rcpt, _ in d if rcpt == who[s]}
        for i in sorted(owed):
            if shown.get(i, 0) != 1:
                fails.append("%s was shown %s %d times" % (s, i, shown.get(i, 0)))
        for i in sorted(set(shown) - owed):
            fails.append("%s was shown %s, which is not stored for it" % (s, i))
    print("summary: %d acknowledged, %d stored, %d committed but not acknowledged to the publisher"
          % (len(acked_ids), len(msgs), len(set(msgs) - acked_ids)))
for f in fails[:20]:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
	local rc=$?
	[ $rc = 0 ] && ok || bad "check ($1) failed, see above"
	"$AUDIT" verify --ledger "$DB" --cert "$X/broker/cert.crt" --authority "$X/authority/authority.pub" \
		--quiet >"$T/verify" 2>&1 && ok || { bad "the ledger does not verify:"; sed 's/^/  | /' "$T/verify" | head -5; }
}

for c in $(seq "$CYCLES"); do
	pids=
	for p in $PUBS; do burst "$p" "$c" & pids="$pids $!"; done
	BURST=$pids
	ms=$((50 + RANDOM % 750))
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$BPID"; wait "$BPID" 2>/dev/null; BPID=
	start_broker || exit 1
	for p in $pids; do wait "$p"; done
	BURST=
	n=$(sqlite3 -cmd ".timeout 5000" "$DB" "SELECT count(*) FROM messages")
	echo "cycle $c: killed after $ms ms; $n messages stored"
	check cycle
	[ "$fails" -gt 0 ] && break
done

# Every delivery to the listeners acknowledged (bounded), then the end.
for _ in $(seq 300); do
	left=$(sqlite3 -cmd ".timeout 5000" "$DB" "SELECT count(*) FROM deliveries WHERE acked_at = 0")
	[ "$left" = 0 ] && break
	sleep 0.1
done
[ "$left" = 0 ] && ok || bad "$left deliveries still unacknowledged 30 s after the last cycle"
for s in $SUBS; do
	kill -0 "${LP[$s]}" 2>/dev/null && ok || bad "the listener of $s died: $(tail -3 "$T/listen.$s.err")"
	kill "${LP[$s]}" 2>/dev/null; wait "${LP[$s]}" 2>/dev/null
done
LPID=
kill "$BPID"; wait "$BPID" 2>/dev/null; BPID=
check final
r=$(cat "$T"/listen.*.err | grep -c "reconnected" || true)
echo "listeners reconnected $r times; publishes that failed: $(cat "$T"/pub.*.err | grep -c "liaison publish" || true)"

lia_done fault_kill9

#!/bin/bash
# attack_history.sh BUILD SRC RAWCLIENT — issue 11, items 5 and 6: work
# that grows with history, and fairness. Roma has a long history (100,000
# unacknowledged deliveries, and the exchange 100,000 consent requests of
# others that Roma may not see, written into the stopped broker's store
# with sqlite3: synthetic rows without ledger records, never shown, only
# counted and skipped); it pipelines 600 Hellos, then 2,000 consent
# listings, then 300 subscribe+hello pairs (a write, then a read: one commit
# each on the old loop). Meanwhile Valletta connects and sends 25 pings,
# then 25 subscribes (a write: answered after its turn's commit, as a
# publish is), one every 20 ms: their latency is how long the loop kept
# Valletta waiting. Each flood must be answered in full within FLOOD_S
# (a request's cost does not grow with the history), and Valletta's worst
# wait stay under LIMIT_MS.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"
LIMIT_MS=500 FLOOD_S=5
ROWS=100000

lia_exchange
"$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
	--title "seed" --set vessel.name=SEED --to IT-PS/roma >/dev/null 2>&1 || bad "seed publish"
kill "$BPID"; wait "$BPID" 2>/dev/null; BPID=
DB="$X/data/liaison.db"
sqlite3 "$DB" <<SQL || bad "history not written"
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
INSERT INTO messages (id, originator, kind, created_at, received_at, expires_at, recipients,
	withheld, header, envelope, number)
SELECT randomblob(16), 'IT-GDF/ventimiglia', 1, 0, 0, 0, 1, 0, x'00', NULL, 1000 + i FROM n;
INSERT INTO deliveries (message_seq, recipient, via, number, sent_at)
SELECT seq, 'IT-PS/roma', 'direct', 1000 + number, 1 FROM messages WHERE number > 1000;
INSERT INTO consents (ref, message_seq, message_id, originator, requested_by, grantee, purpose,
	state, requested_at)
SELECT seq + 1000000, seq, id, originator, 'RS-MUP/beograd', 'IT-PS/roma', 'p', 1, 0
FROM messages WHERE number > 1000;
COMMIT;
SQL
start_broker || exit 1

flood() { # flood KIND N: Roma floods while Valletta pings
	"$RAW" "$X/profiles/roma.yaml" flood "$1" "$2" >"$T/flood.out" 2>&1 &
	local fpid=$!
	sleep 0.3
	"$RAW" "$X/profiles/valletta.yaml" pinger 25 >"$T/ping.out" 2>&1
	"$RAW" "$X/profiles/valletta.yaml" pinger 25 subscribe >>"$T/ping.out" 2>&1
	wait "$fpid" && ok || { bad "$1 flood not answered in full:"; cat "$T/flood.out"; }
	local max secs
	secs=$(awk '/flood-answered/ {print int($8)}' "$T/flood.out")
	[ -n "$secs" ] && [ "$secs" -lt "$FLOOD_S" ] && ok ||
		bad "$1 flood: Roma's own answers took ${secs:-?} s (limit $FLOOD_S)"
	max=$(awk '/ping-latency/ {if ($3 > m) m = $3} END {print m}' "$T/ping.out")
	echo "$1 x $2: $(cat "$T/flood.out"); victim $(tr '\n' ' ' <"$T/ping.out")"
	[ -n "$max" ] && [ "$max" -lt "$LIMIT_MS" ] && ok ||
		bad "$1 flood: Valletta waited ${max:-?} ms (limit $LIMIT_MS)"
	[ "$(grep -c "answered 25 of 25" "$T/ping.out")" = 2 ] && ok || bad "$1 flood: Valletta's requests unanswered"
}
flood hello 600
flood consents 2000
flood subhello 300

# Everyone is still served.
run 0 "$L" publish --profile valletta --kind carrier --tlp GREEN --region MED-CENTRAL \
	--title "after" --set vessel.name=AFTER --to IT-PS/roma
lia_done attack_history

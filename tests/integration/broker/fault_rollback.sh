#!/bin/bash
# fault_rollback.sh BUILD SRC RAWCLIENT — issue 12, item 5 (the agents'
# side): a broker restored from an older copy serves a shorter ledger,
# and the agents that saw a later checkpoint must say so. Valletta keeps
# the checkpoint it sees on every command (KEYS/checkpoint-<key id>,
# 0600); the broker is stopped and its store replaced by an older backup
# (liaison-broker backup, taken while it ran); valletta's next command and
# `liaison checkpoint --verify` exit 3 naming both sizes; once the
# restored ledger grows past the size valletta kept, the consistency
# proof fails (a fork), exit 3 again; and a checkpoint forged into the
# store (its size edited, so its signature no longer verifies) stops
# piraeus, which had kept the real one. The kept files never take the
# bad checkpoints.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
DB="$X/data/liaison.db"
sql() { sqlite3 -cmd ".timeout 5000" "$DB" "$@"; }
pub() { # pub PROFILE TITLE TO
	"$L" publish --profile "$1" --kind carrier --tlp GREEN --region MED-CENTRAL \
		--title "$2" --set vessel.name="$2" --to "$3" >/dev/null 2>&1 || bad "publish $2 by $1"
}
covered() { # wait until a signed checkpoint covers every record; print its size
	local n s
	for _ in $(seq 100); do
		n=$(sql "SELECT count(*) FROM ledger_record")
		s=$(sql "SELECT COALESCE(max(size), 0) FROM ledger_checkpoint")
		[ "$n" -gt 0 ] && [ "$s" = "$n" ] && { echo "$s"; return 0; }
		sleep 0.1
	done
	echo 0
}
kept() { # kept PRINCIPAL-DIR: the size the agent kept ("" when none)
	local f
	f=$(ls "$X/$1"/checkpoint-* 2>/dev/null | head -1)
	[ -n "$f" ] && sed -n 2p "$f"
}

# 1. A first checkpoint, kept by valletta.
pub ventimiglia "before one" IT-PS/roma
S1=$(covered)
run 0 "$L" checkpoint --verify --profile valletta
expect_in "$T/out" "ledger of $S1 records: the first checkpoint seen, now kept in $X/valletta/checkpoint-"
f=$(ls "$X/valletta"/checkpoint-* 2>/dev/null | head -1)
[ -n "$f" ] && [ "$(stat -c %a "$f")" = 600 ] && ok || bad "no kept checkpoint of mode 0600 in $X/valletta: $(ls -l "$X/valletta")"

# 2. The older copy, taken while the broker runs.
run 0 "$BROKER" backup --config "$X/broker.yaml" --out "$T/older.db"
expect_in "$T/out" "ledger        $S1 records"
expect_in "$T/out" "checkpoint    $S1 records, root "

# 3. The ledger grows; valletta's commands see it grow, proof checked.
pub ventimiglia "after one" IT-PS/roma
pub ventimiglia "after two" IT-PS/roma
pub ventimiglia "after three" IT-PS/roma
N=$(covered)
[ "$N" -gt "$S1" ] && ok || bad "the ledger did not grow past $S1 ($N)"
run 0 "$L" checkpoint --verify --profile valletta
expect_in "$T/out" "ledger verified: it grew from the $S1 records you kept to $N (consistency proof checked)"
run 0 "$L" inbox --profile valletta
[ "$(kept valletta)" = "$N" ] && ok || bad "valletta kept $(kept valletta), not $N"
# piraeus keeps the same checkpoint, for section 6.
run 0 "$L" inbox --profile piraeus
[ "$(kept piraeus)" = "$N" ] && ok || bad "piraeus kept $(kept piraeus), not $N"

# 4. The broker restored from the older copy (stop, copy back, start).
# Piraeus's listener runs across it: it reconnects by itself (item 3), and
# its new session is checked like a first one.
"$L" listen --profile piraeus --timeout 60 >"$T/plisten" 2>"$T/plisten.err" &
LPID=$!
sleep 1.5
kill "$BPID"; wait "$BPID" 2>/dev/null; BPID=
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$T/older.db" "$DB"
start_restored || exit 1
for _ in $(seq 100); do kill -0 "$LPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$LPID" 2>/dev/null && { kill "$LPID"; echo "(the listener was still running 10 s later)" >>"$T/plisten.err"; }
wait "$LPID"
rc=$?
LPID=
[ $rc = 3 ] && ok || bad "piraeus's listener exited $rc across the restore, not 3: $(cat "$T/plisten.err")"
expect_in "$T/plisten.err" "LEDGER ROLLED BACK"
R=$(covered)
[ "$R" -lt "$N" ] && ok || bad "the restored ledger has $R records, not fewer than $N"
"$L" inbox --profile valletta >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 3 ] && ok || bad "after the restore valletta's inbox exited $rc, not 3: $(cat "$T/out" "$T/err")"
expect_in "$T/err" "liaison inbox: LEDGER ROLLED BACK: the broker's latest checkpoint has $R records, the one you kept $N"
run 3 "$L" checkpoint --verify --profile valletta
expect_in "$T/err" "LEDGER ROLLED BACK: the broker's latest checkpoint has $R records, the one you kept $N"
run 3 "$L" listen --profile valletta --timeout 2
[ "$(kept valletta)" = "$N" ] && ok || bad "valletta's kept checkpoint is now $(kept valletta), not $N"
# Without --verify, both are shown and nothing is compared.
run 0 "$L" checkpoint --profile valletta
[ "$(sed -n 2p "$T/out")" = "$R" ] && ok || bad "liaison checkpoint printed size $(sed -n 2p "$T/out"), not $R"
expect_in "$T/err" "latest $R records; kept $N records"
run 0 "$L" checkpoint --kept --profile valletta
[ "$(sed -n 2p "$T/out")" = "$N" ] && ok || bad "liaison checkpoint --kept printed size $(sed -n 2p "$T/out"), not $N"

# 5. The restored ledger grows past what valletta kept: same broker key,
# valid signatures, but not an extension (a fork). Roma has kept
# nothing yet, so it may publish.
for i in $(seq 12); do
	pub roma "fork $i" IT-GDF/ventimiglia
	[ "$(sql "SELECT count(*) FROM ledger_record")" -gt "$N" ] && break
done
F=$(covered)
[ "$F" -gt "$N" ] && ok || bad "the restored ledger did not grow past $N ($F)"
run 3 "$L" inbox --profile valletta
expect_in "$T/err" "LEDGER NOT VERIFIED: the broker's ledger of $F records does not extend the $N you kept"
run 3 "$L" checkpoint --verify --profile valletta
expect_in "$T/err" "does not extend the $N you kept"
[ "$(kept valletta)" = "$N" ] && ok || bad "valletta's kept checkpoint is now $(kept valletta), not $N"

# 6. A forged checkpoint in the store: the latest note with its size
# edited, so that its signature fails. Piraeus kept the real one at N.
sql "INSERT INTO ledger_checkpoint(size, issued_at, note) SELECT size + 1000, issued_at,
	replace(note, char(10) || size || char(10), char(10) || (size + 1000) || char(10))
	FROM ledger_checkpoint ORDER BY size DESC LIMIT 1" || bad "cannot forge a checkpoint"
run 3 "$L" inbox --profile piraeus
expect_in "$T/err" "LEDGER NOT VERIFIED: the broker's latest checkpoint (claiming $((F + 1000)) records; you kept $N) is not signed by its key EU-EXCH/broker"
expect_in "$T/err" "signature does not verify"
[ "$(kept piraeus)" = "$N" ] && ok || bad "piraeus's kept checkpoint is now $(kept piraeus), not $N"
# A principal that never kept one is stopped all the same.
run 3 "$L" inbox --profile zagreb
expect_in "$T/err" "claiming $((F + 1000)) records; none kept"
[ -z "$(kept zagreb)" ] && ok || bad "zagreb kept the forged checkpoint"

# 7. The kept file is read as untrusted input: one that is not a note
# the broker signed, or too large, stops the command (exit 1) and says
# which file.
kf="$X/zagreb/$(basename "$f")"
echo "EU-EXCH/broker" >"$kf"
run 1 "$L" inbox --profile zagreb
expect_in "$T/err" "the kept checkpoint \"$kf\" is not one the broker signed"
head -c 20000 /dev/zero | tr '\0' x >"$kf"
run 1 "$L" inbox --profile zagreb
expect_in "$T/err" "cannot read the kept checkpoint"

lia_done fault_rollback

#!/bin/bash
# fault_ledger.sh BUILD SRC RAWCLIENT — issue 12, items 4 and 5 (the
# broker's side): a broker must never start on, and so never sign a
# checkpoint over, a damaged or rolled-back ledger.
#
# Damage nothing may accept (exit 3, the first bad record named): a
# ledger record edited, one deleted, a bit flipped in a ledger page, the
# database truncated. Silent loss that only the state kept beside the
# store can show (exit 3, "N acknowledged records are missing"): a bit
# flipped in the middle of the WAL (SQLite drops every later frame), a
# truncated WAL, a deleted WAL. The database put back with its WAL starts;
# a rollback is accepted only with --accept-ledger naming the present size,
# and then the publisher's agent, which kept a later checkpoint, reports
# it. The state files are untrusted input too. And a record edited behind
# a running broker is never signed over.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
D="$X/data" DB="$X/data/liaison.db"
sql() { sqlite3 -cmd ".timeout 5000" "$@"; }
pub() { # pub N TAG: N messages from ventimiglia to roma, each acknowledged
	for i in $(seq "$1"); do
		"$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
			--title "$2 $i" --set vessel.name="$2 $i" --to IT-PS/roma >/dev/null 2>&1 || bad "publish $2 $i"
	done
}
stop() { kill "$BPID"; wait "$BPID" 2>/dev/null; BPID=; }
crash() { kill -9 "$BPID"; wait "$BPID" 2>/dev/null; BPID=; }
save() { # save NAME: the store as it is (database, WAL, shared memory)
	rm -rf "$T/$1"; mkdir "$T/$1"
	for f in "$DB" "$DB-wal" "$DB-shm"; do [ -e "$f" ] && cp -p "$f" "$T/$1/"; done
}
put() { # put NAME: a saved store back in place
	rm -f "$DB" "$DB-wal" "$DB-shm"
	cp -p "$T/$1"/* "$D/"
}
records() { # records NAME: the ledger records of a saved store, read on a scratch copy
	rm -rf "$T/scratch"; cp -r "$T/$1" "$T/scratch"
	sql "$T/scratch/liaison.db" "SELECT count(*) FROM ledger_record"
}
committed() { sed -n 's/^liaison-ledger-size 1 0*\([0-9]\)/\1/p' "$D/ledger.size"; }
refused() { # refused TEXT...: the broker (and --check) refuse the store, exit 3
	run 3 "$BROKER" --config "$X/broker.yaml" --check
	for t in "$@"; do expect_in "$T/err" "$t"; done
	run 3 "$BROKER" --config "$X/broker.yaml"
	for t in "$@"; do expect_in "$T/err" "$t"; done
	expect_in "$T/err" "liaison-broker: refusing to start; "
	grep -q "listening endpoint" "$T/err" && bad "a refused broker listened" || ok
}
flip() { # flip FILE OFFSET: invert one byte
	python3 - "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0x10]))
PY
}
unguard() { sql "$DB" "DROP TRIGGER ledger_record_no_update; DROP TRIGGER ledger_record_no_delete"; }

# 1. A sound store: the check at start, and --check.
pub 6 first
stop
for f in ledger.checkpoint ledger.size; do
	[ -f "$D/$f" ] && [ "$(stat -c %a "$D/$f")" = 600 ] && ok || bad "$f is not a file of mode 0600: $(ls -l "$D" 2>&1)"
done
N=$(sql "$DB" "SELECT count(*) FROM ledger_record")
[ "$(committed)" = "$N" ] && ok || bad "ledger.size says $(committed), the ledger holds $N"
head -2 "$D/ledger.checkpoint" | tail -1 | grep -qx "$N" && ok || bad "ledger.checkpoint does not cover the $N records: $(cat "$D/ledger.checkpoint")"
sum=$(sql "$DB" .dump | sha256sum)
run 0 "$BROKER" --config "$X/broker.yaml" --check
expect_in "$T/out" "database, ledger, configuration, keys, certificates and policy are in order"
expect_in "$T/err" "ledger-checked records=$N checkpoints=[0-9]* signed=$N committed=$N quick_check=ok"
[ "$(sql "$DB" .dump | sha256sum)" = "$sum" ] && [ "$(committed)" = "$N" ] && ok || bad "--check changed the store"
run 3 "$BROKER" --config "$X/broker.yaml" --accept-ledger "$N"
expect_in "$T/err" "nothing to accept, the ledger ($N records) matches its state"
run 2 "$BROKER" --config "$X/broker.yaml" --check --accept-ledger "$N"
save good

# 2. Damage: refused whatever the operator says, first bad record named.
unguard
python3 - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rec = bytearray(db.execute("SELECT record FROM ledger_record WHERE seq = 3").fetchone()[0])
rec[-5] ^= 0x01
db.execute("UPDATE ledger_record SET record = ? WHERE seq = 3", (bytes(rec),)); db.commit()
PY
refused "the ledger is damaged from record 3: record 3" "restore the last good backup"
run 3 "$BROKER" --config "$X/broker.yaml" --accept-ledger "$N"
expect_in "$T/err" "the ledger is damaged from record 3"

put good; unguard
sql "$DB" "DELETE FROM ledger_record WHERE seq = 4"
refused "the ledger is damaged from record 4: record 4 is missing"

put good
pg=$(sql "$DB" "SELECT pageno FROM dbstat WHERE name = 'ledger_record' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1")
ps=$(sql "$DB" "PRAGMA page_size")
[ -n "$pg" ] && ok || bad "no leaf page of ledger_record found"
flip "$DB" $((pg * ps - 40))
refused "the \(ledger is damaged\|database is damaged\)"

put good
truncate -s $(($(stat -c %s "$DB") / 2)) "$DB"
refused "the database is damaged"

# 3. Silent loss in the WAL, after a kill -9. Each case is refused with
# the number of acknowledged records missing; the store put back with
# its WAL starts.
put good
start_broker || exit 1
pub 20 second
# Ventimiglia keeps a checkpoint that covers them all (for section 4).
for _ in $(seq 50); do
	[ "$(head -2 "$D/ledger.checkpoint" | tail -1)" = "$(committed)" ] && break
	sleep 0.1
done
run 0 "$L" inbox --profile ventimiglia
C=$(committed)
crash
save crashed
[ -s "$D/liaison.db-wal" ] && ok || bad "no WAL after kill -9"
H=$(records crashed)
[ "$H" = "$C" ] && ok || bad "the crashed store holds $H records, ledger.size says $C"
wal() { # wal NAME: after the damage done to the WAL, refused with what is missing
	save "$1"
	local have
	have=$(records "$1")
	[ "$have" -lt "$C" ] && ok || bad "$1: the damaged store still holds $have of $C records"
	put "$1"
	refused "the ledger was rolled back: it holds $have records, but $C were committed" \
		"$((C - have)) acknowledged records are missing" "start once with --accept-ledger $have"
	echo "$1: $have of $C records left, refused"
}
w=$(stat -c %s "$D/liaison.db-wal")
flip "$D/liaison.db-wal" $((32 + (w - 32) / 4096 / 2 * 4120 + 24 + 100))
wal walflip
put crashed
truncate -s $((w / 2)) "$D/liaison.db-wal"
wal waltrunc
put crashed
rm -f "$D/liaison.db-wal" "$D/liaison.db-shm"
wal walgone
put crashed
start_broker || exit 1
[ "$(sql "$DB" "SELECT count(*) FROM ledger_record")" -ge "$C" ] && ok || bad "the store put back with its WAL lost records"
stop

# 4. Accepting a rollback: only the present size, once; then the agent
# that kept a later checkpoint reports it.
put walgone
have=$(records walgone)
C=$(committed) # the restart above appended a few
run 3 "$BROKER" --config "$X/broker.yaml" --accept-ledger $((have + 1))
expect_in "$T/err" "accept-ledger $((have + 1)): the ledger holds $have records"
start_broker --accept-ledger "$have" || exit 1
expect_in "$X/broker.log" "ledger-accepted records=$have missing=$((C - have))"
[ "$(committed)" = "$(sql "$DB" "SELECT count(*) FROM ledger_record")" ] && ok ||
	bad "ledger.size says $(committed) after the acceptance, the ledger holds $(sql "$DB" "SELECT count(*) FROM ledger_record")"
run 3 "$L" inbox --profile ventimiglia
expect_in "$T/err" "LEDGER ROLLED BACK"
mkdir "$T/kept"; mv "$X/ventimiglia"/checkpoint-* "$T/kept/"
run 0 "$L" inbox --profile ventimiglia
pub 2 third
stop
run 0 "$BROKER" --config "$X/broker.yaml" --check
run 3 "$BROKER" --config "$X/broker.yaml" --accept-ledger "$(sql "$DB" "SELECT count(*) FROM ledger_record")"
expect_in "$T/err" "nothing to accept"

# 5. The state files are read as untrusted input.
N=$(sql "$DB" "SELECT count(*) FROM ledger_record")
cp -p "$D/ledger.checkpoint" "$T/cp.keep"
sed -i "2s/.*/$((N + 50))/" "$D/ledger.checkpoint"
refused "ledger.checkpoint is not a checkpoint signed by this broker" "--accept-ledger $N"
cp -p "$T/cp.keep" "$D/ledger.checkpoint"
chmod 644 "$D/ledger.size"
refused "ledger.size cannot be read: refusing" "mode 0644"
chmod 600 "$D/ledger.size"
printf 'liaison-ledger-size 1 x\n' >"$D/ledger.size"
refused "ledger.size is not a ledger size file"
rm -f "$D/ledger.size"; ln -s "$T/cp.keep" "$D/ledger.size"
refused "ledger.size cannot be read"
rm -f "$D/ledger.size" "$D/ledger.checkpoint"
refused "no ledger state (ledger.checkpoint, ledger.size) beside a ledger of $N records"
# (Section 6 wants no periodic checkpoint: only the one at SIGTERM.)
sed -i 's/^checkpoint_seconds: .*/checkpoint_seconds: 3600/' "$X/broker.yaml"
start_broker --accept-ledger "$N" || exit 1
[ "$(committed)" -gt "$N" ] && [ -f "$D/ledger.checkpoint" ] && ok || bad "the state was not rebuilt: $(ls -l "$D")"

# 6. A record edited behind the running broker, after the last
# checkpoint: the next checkpoint is refused, nothing is signed over it.
S=$(sql "$DB" "SELECT max(size) FROM ledger_checkpoint")
pub 2 fourth
unguard
python3 - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=5)
seq = db.execute("SELECT max(seq) FROM ledger_record").fetchone()[0]
rec = bytearray(db.execute("SELECT record FROM ledger_record WHERE seq = ?", (seq,)).fetchone()[0])
rec[-5] ^= 0x01
db.execute("UPDATE ledger_record SET record = ? WHERE seq = ?", (bytes(rec), seq)); db.commit()
PY
stop
expect_in "$X/broker.log" "checkpoint-error .*stored leaf hash does not match the record bytes.*refusing to sign"
[ "$(sql "$DB" "SELECT max(size) FROM ledger_checkpoint")" = "$S" ] && ok || bad "a checkpoint was signed over the edited record"
head -2 "$D/ledger.checkpoint" | tail -1 | grep -qx "$S" && ok || bad "ledger.checkpoint moved past $S"
refused "the ledger is damaged from record"

lia_done fault_ledger

#!/bin/bash
# backup.sh BUILD SRC RAWCLIENT — issue 12, item 6: `liaison-broker
# backup --config FILE --out FILE` copies the store and ledger while the
# broker runs and a publisher publishes. Each copy opens, passes PRAGMA
# integrity_check, is one file (no WAL beside it), has mode 0600, holds
# a ledger that liaison-audit verifies (with its checkpoints, against the
# broker's certificate), and says what it holds; an existing --out, a
# symbolic link as --out and an unwritable folder are refused, leaving
# nothing behind; a broker started on a copy serves it.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
DB="$X/data/liaison.db"
sql() { sqlite3 -cmd ".timeout 5000" "$1" "$2"; }
verify() { # verify COPY: the ledger verifies with the auditor's tool
	run 0 "$AUDIT" verify --ledger "$1" --cert "$X/broker/cert.crt" \
		--authority "$X/authority/authority.pub" --quiet
}

# A publisher publishing in the background, 16 messages.
(
	for i in $(seq 16); do
		"$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
			--title "burst $i" --set vessel.name="burst $i" --to IT-PS/roma >/dev/null 2>&1
	done
) &
BURST=$!
for _ in $(seq 100); do
	[ "$(sql "$DB" "SELECT count(*) FROM messages")" -ge 3 ] && break
	sleep 0.1
done
run 0 "$BROKER" backup --config "$X/broker.yaml" --out "$T/one.db"
cp "$T/out" "$T/one.out"
sleep 0.5
run 0 "$BROKER" backup --config "$X/broker.yaml" --out "$T/two.db"
cp "$T/out" "$T/two.out"
kill -0 "$BURST" 2>/dev/null && ok || echo "note: the publisher had finished before the second copy"
wait "$BURST"; BURST=

for c in one two; do
	f="$T/$c.db"
	[ -f "$f" ] && [ "$(stat -c %a "$f")" = 600 ] && ok || bad "$c.db: not a file of mode 0600: $(ls -l "$f" 2>&1)"
	[ ! -e "$f-wal" ] && [ ! -e "$f-journal" ] && ok || bad "$c.db left a -wal or -journal beside it"
	[ "$(sql "$f" "PRAGMA integrity_check")" = ok ] && ok || bad "$c.db fails PRAGMA integrity_check"
	[ "$(sql "$f" "PRAGMA journal_mode")" = delete ] && ok || bad "$c.db is not a one-file database"
	verify "$f"
	n=$(sql "$f" "SELECT count(*) FROM ledger_record")
	expect_in "$T/$c.out" "ledger        $n records, origin EU-EXCH/broker"
	expect_in "$T/$c.out" "quick_check   ok"
	m=$(sql "$f" "SELECT count(*) FROM messages")
	[ "$m" -ge 3 ] && ok || bad "$c.db holds $m messages"
done
n1=$(sql "$T/one.db" "SELECT count(*) FROM ledger_record")
n2=$(sql "$T/two.db" "SELECT count(*) FROM ledger_record")
[ "$n2" -ge "$n1" ] && ok || bad "the second copy holds fewer records ($n2) than the first ($n1)"

# Refusals: an existing file, a symbolic link, a folder that is not
# there. Nothing is written through the link, nothing is left behind.
before=$(sha256sum "$T/one.db")
run 1 "$BROKER" backup --config "$X/broker.yaml" --out "$T/one.db"
expect_in "$T/err" "refusing to overwrite \"$T/one.db\": file exists"
[ "$(sha256sum "$T/one.db")" = "$before" ] && ok || bad "the existing copy was changed"
ln -s "$T/target.db" "$T/link.db"
run 1 "$BROKER" backup --config "$X/broker.yaml" --out "$T/link.db"
[ ! -e "$T/target.db" ] && ok || bad "the backup wrote through a symbolic link"
run 1 "$BROKER" backup --config "$X/broker.yaml" --out "$T/nowhere/x.db"
expect_in "$T/err" "cannot create \"$T/nowhere/x.db\""
run 2 "$BROKER" backup --config "$X/broker.yaml"

# The broker serves a copy put back in place (a restore), once its
# operator accepted the rollback (one more message after the copy makes
# it one), and its ledger still verifies after the broker appended to it.
"$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
	--title "after the copies" --set vessel.name=after --to IT-PS/roma >/dev/null 2>&1 || bad "publish after the copies"
kill "$BPID"; wait "$BPID" 2>/dev/null; BPID=
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$T/two.db" "$DB"
start_restored || exit 1
run 0 "$L" inbox --profile roma
lines=$(wc -l <"$T/out")
m=$(sql "$T/two.db" "SELECT count(*) FROM messages")
[ "$lines" -ge "$m" ] && ok || bad "the restored broker lists $lines deliveries to roma, the copy holds $m messages"
kill "$BPID"; wait "$BPID" 2>/dev/null; BPID=
verify "$DB"

lia_done backup

#!/bin/sh
# cli_test.sh — liaison-audit on real ledger files.
#
#   cli_test.sh LIAISON-AUDIT MKLEDGER SQLITE3
#
# Builds a ledger of 250 records with checkpoints at 100, 200 and 250
# (mkledger), runs every command on it, then tampers with copies using
# the sqlite3 shell, as an operator with write access to the file could,
# and checks that verify exits 3 and names the first bad record or
# checkpoint. Prints one line per check and "N passed, M failed".
set -u
AUDIT=$1
MK=$2
SQLITE=${3:-sqlite3}
W=$(mktemp -d /tmp/lia-audit-it.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() {
	failed=$((failed + 1))
	echo "not ok - $1"
	sed 's/^/    stderr: /' "$W/err"
}
# expect CODE DESCRIPTION COMMAND...: run it, keep stdout and stderr.
expect() {
	want=$1
	desc=$2
	shift 2
	"$@" >"$W/out" 2>"$W/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$desc"; else bad "$desc (exit $rc, want $want)"; fi
}
has_err() { if grep -q -- "$1" "$W/err"; then ok "$2"; else bad "$2: stderr lacks \"$1\""; fi; }
has_out() { if grep -q -- "$1" "$W/out"; then ok "$2"; else bad "$2: stdout lacks \"$1\""; fi; }
sql() { "$SQLITE" "$1" "$2" >/dev/null 2>"$W/err" || bad "sqlite3: $2"; }

"$MK" "$W/l.db" "$W/vkey" 250 100 || { echo "mkledger failed"; exit 1; }
L="--ledger $W/l.db"
K="--key-file $W/vkey"
MSG7=5f000000000000000000000000000007

# --- the program's conventions ---
expect 2 "no command is a usage error" "$AUDIT"
expect 0 "--help" "$AUDIT" --help
has_out "Exit codes" "--help lists exit codes"
expect 0 "--version" "$AUDIT" --version
has_out "sqlite" "--version names linked libraries"
expect 2 "unknown command" "$AUDIT" frobnicate
for c in query disclosures verify prove verify-proof consistency export; do
	expect 0 "$c --help" "$AUDIT" "$c" --help
	has_out "Example" "$c --help has examples"
done
for c in disclosures verify-proof; do
	expect 2 "$c refuses an unknown option" "$AUDIT" "$c" --frobnicate
done
expect 2 "verify needs a key" "$AUDIT" verify $L
expect 2 "verify needs one source" "$AUDIT" verify $K
expect 1 "a missing ledger fails" "$AUDIT" verify --ledger "$W/none.db" $K
expect 2 "a malformed key is a usage error" "$AUDIT" verify $L --key nonsense

# --- reading ---
expect 0 "verify a clean ledger" "$AUDIT" verify $L $K
has_out "250 records and 3 checkpoints verified" "verify reports what it checked"
expect 0 "verify --json" "$AUDIT" verify $L $K --json
has_out '"valid":true' "verify --json says valid"
expect 0 "query" "$AUDIT" query $L --limit 5
has_out "OPERATION" "query prints a table"
expect 0 "query --json by operation" "$AUDIT" query $L --op withhold --json
if [ "$(wc -l <"$W/out")" -eq 50 ]; then ok "50 withholdings"; else bad "withholdings: $(wc -l <"$W/out")"; fi
has_out '"decision":"deny"' "withholdings carry their decision"
expect 0 "query by agency and time" "$AUDIT" query $L --agency FR-PAF --since @1795000100 --until @1795000200 --json
expect 2 "query with a bad operation" "$AUDIT" query $L --op delete
expect 0 "disclosures" "$AUDIT" disclosures $MSG7 $L
has_out "3 disclosed, 1 withheld" "disclosures sums up"
has_out "agreement.missing" "disclosures names the refusing rule"
expect 1 "disclosures of an unknown message" "$AUDIT" disclosures 5f00000000000000000000000000ffff $L
expect 2 "disclosures with a bad id" "$AUDIT" disclosures 5f00 $L

# --- proofs ---
expect 0 "prove --seq" "$AUDIT" prove $L --seq 41 -o "$W/p41"
expect 0 "verify-proof" "$AUDIT" verify-proof "$W/p41" $K
has_out "verified: record 41" "verify-proof names the record"
expect 0 "verify-proof --json" "$AUDIT" verify-proof "$W/p41" $K --json
has_out '"index":41' "verify-proof --json"
sed 's/^index 41$/index 42/' "$W/p41" >"$W/p41x"
expect 3 "a proof with another index fails" "$AUDIT" verify-proof "$W/p41x" $K
expect 3 "garbage is not a proof" "$AUDIT" verify-proof "$W/vkey" $K
expect 0 "prove by message and recipient" "$AUDIT" prove $L --message $MSG7 --recipient FR-PAF/nice -o "$W/p38"
expect 0 "that proof verifies" "$AUDIT" verify-proof "$W/p38" $K
has_out "record 38" "it is record 38"
expect 2 "prove by message alone is ambiguous" "$AUDIT" prove $L --message $MSG7
expect 0 "prove against an older checkpoint" "$AUDIT" prove $L --seq 5 --size 100 -o "$W/p5"
expect 0 "consistency" "$AUDIT" consistency $L --from 100 --to 250 $K -o "$W/c"
expect 0 "verify-proof of consistency" "$AUDIT" verify-proof "$W/c" $K
has_out "prefix" "consistency verified"

# --- exports ---
expect 0 "export JSON lines" "$AUDIT" export $L -o "$W/e.jsonl" --checkpoint-out "$W/e.checkpoint"
expect 0 "the kept checkpoint verifies with the ledger" "$AUDIT" verify $L $K --checkpoint "$W/e.checkpoint"
has_out "4 checkpoints verified" "the kept checkpoint was checked"
expect 0 "verify the export" "$AUDIT" verify --export "$W/e.jsonl" $K
has_out "250 records" "the export holds every record"
expect 0 "query the export" "$AUDIT" disclosures $MSG7 --export "$W/e.jsonl"
expect 0 "export CSV" "$AUDIT" export $L --format csv -o "$W/e.csv"
if [ -s "$W/e.csv.checkpoint" ] && [ "$(wc -l <"$W/e.csv")" -eq 251 ]; then ok "CSV and its checkpoint"; else bad "CSV export"; fi
expect 2 "CSV to stdout needs --checkpoint-out" "$AUDIT" export $L --format csv
sed 's/"ES-GC\/algeciras"/"ES-GC\/cadiz"/' "$W/e.jsonl" >"$W/e2.jsonl"
expect 3 "an export with an edited field is refused" "$AUDIT" verify --export "$W/e2.jsonl" $K
head -n 100 "$W/e.jsonl" >"$W/e3.jsonl"
expect 3 "a cut export is refused" "$AUDIT" verify --export "$W/e3.jsonl" $K

# --- tampering with the ledger file ---
if ! command -v "$SQLITE" >/dev/null 2>&1; then
	bad "sqlite3 shell not found: cannot run the tampering checks"
else
	t() { cp "$W/l.db" "$W/t.db"; rm -f "$W/t.db-wal" "$W/t.db-shm"; }
	T="--ledger $W/t.db"

	t
	sql "$W/t.db" "DROP TRIGGER ledger_record_no_update;
		UPDATE ledger_record SET record = CAST(replace(CAST(record AS TEXT), 'feed', 'fEED') AS BLOB)
		WHERE seq = 137"
	expect 3 "an edited record fails verify" "$AUDIT" verify $T $K
	has_err "first bad record: 137" "verify names the edited record"

	t
	sql "$W/t.db" "DROP TRIGGER ledger_record_no_delete; DELETE FROM ledger_record WHERE seq = 42"
	expect 3 "a deleted record fails verify" "$AUDIT" verify $T $K
	has_err "record 42 is missing" "verify names the deleted record"
	has_err "first bad record: 42" "verify names the first bad record"

	t
	sql "$W/t.db" "DROP TRIGGER ledger_record_no_update;
		UPDATE ledger_record SET seq = -1 WHERE seq = 60;
		UPDATE ledger_record SET seq = 60 WHERE seq = 61;
		UPDATE ledger_record SET seq = 61 WHERE seq = -1"
	expect 3 "two swapped records fail verify" "$AUDIT" verify $T $K
	has_err "first bad record: 60" "verify names the first swapped record"

	t
	sql "$W/t.db" "DROP TRIGGER ledger_record_no_delete; DELETE FROM ledger_record WHERE seq >= 230"
	expect 3 "a truncated log fails verify" "$AUDIT" verify $T $K
	has_err "first bad record: 230" "verify names where the log was cut"
	has_err "first bad checkpoint: size 250" "verify names the checkpoint that shows it"

	t
	sql "$W/t.db" "SELECT writefile('$W/kept.checkpoint', note) FROM ledger_checkpoint WHERE size = 200"
	sql "$W/t.db" "DROP TRIGGER ledger_record_no_delete; DROP TRIGGER ledger_checkpoint_no_delete;
		DELETE FROM ledger_record WHERE seq >= 150; DELETE FROM ledger_checkpoint WHERE size > 150"
	expect 0 "a log truncated with its checkpoints looks consistent alone" "$AUDIT" verify $T $K
	expect 3 "...but not against a checkpoint the auditor kept" \
		"$AUDIT" verify $T $K --checkpoint "$W/kept.checkpoint"
	has_err "first bad record: 150" "verify names where the log was cut"
	expect 3 "...nor can it prove it only grew" \
		"$AUDIT" consistency $T --old "$W/kept.checkpoint" $K

	t
	sql "$W/t.db" "DROP TRIGGER ledger_checkpoint_no_update;
		UPDATE ledger_checkpoint SET note = (SELECT note FROM ledger_checkpoint WHERE size = 100)
		WHERE size = 200"
	expect 3 "a replaced checkpoint fails verify" "$AUDIT" verify $T $K
	has_err "first bad checkpoint: size 200" "verify names the replaced checkpoint"

	t
	sql "$W/t.db" "DROP TRIGGER ledger_checkpoint_no_update;
		UPDATE ledger_checkpoint SET note = replace(note, 'liaison.test/broker/ledger
250', 'liaison.test/broker/ledger
251') WHERE size = 250"
	expect 3 "a checkpoint with an altered size fails verify" "$AUDIT" verify $T $K
	has_err "does not verify" "verify says the signature failed"

	t
	if "$SQLITE" "$W/t.db" "UPDATE ledger_record SET record = x'00' WHERE seq = 1" 2>"$W/err"; then
		bad "the append-only triggers let an update through"
	else
		ok "the append-only triggers refuse updates"
	fi
	has_err "append-only" "the trigger says why"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# outsider_test.sh — the verification recipe of docs/ledger.md, run
# against a real export and proof: an implementation that shares no code
# with Liaison agrees with it. Skips (77) without python3-cryptography.
#
#   outsider_test.sh PYTHON3 OUTSIDER_VERIFY.PY LIAISON-AUDIT MKLEDGER
set -u
PY=$1
SCRIPT=$2
AUDIT=$3
MK=$4
if ! "$PY" -c 'import cryptography.hazmat.primitives.asymmetric.ed25519' 2>/dev/null; then
	echo "python3 cryptography not installed: skipped"
	exit 77
fi
W=$(mktemp -d /tmp/lia-audit-py.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM
passed=0
failed=0
check() {
	if [ "$1" -eq "$2" ]; then passed=$((passed + 1)); echo "ok - $3"
	else failed=$((failed + 1)); echo "not ok - $3 (exit $1, want $2)"; fi
}
"$MK" "$W/l.db" "$W/vkey" 137 50 || exit 1
"$AUDIT" export --ledger "$W/l.db" -o "$W/e.jsonl" 2>/dev/null
"$AUDIT" prove --ledger "$W/l.db" --seq 99 -o "$W/p" 2>/dev/null
"$PY" "$SCRIPT" "$W/vkey" "$W/e.jsonl" "$W/p"
check $? 0 "python verifies the export and the proof"
sed 's/"ES-GC\/algeciras"/"ES-GC\/cadiz"/; s/"record":"C/"record":"D/' "$W/e.jsonl" >"$W/bad.jsonl"
"$PY" "$SCRIPT" "$W/vkey" "$W/bad.jsonl" 2>/dev/null
check $? 1 "python refuses an edited export"
sed 's/^index 99$/index 98/' "$W/p" >"$W/bad.p"
"$PY" "$SCRIPT" "$W/vkey" "$W/e.jsonl" "$W/bad.p" 2>/dev/null
check $? 1 "python refuses a proof with another index"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

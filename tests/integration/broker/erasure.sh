#!/bin/bash
# erasure.sh BUILD SRC RAWCLIENT — erasure on demand (issue 13, Directive
# 2016/680 Art. 16) with the real agent and broker: the originator erases
# its message before its expiry; the ciphertext is gone, every recipient
# (online now, or offline and connecting later) is told to purge it until
# its agent confirms, each step recorded; nobody else can erase it or
# learn that it exists by trying; erasing again is harmless; an erased
# verification request is withdrawn and can no longer be answered.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
id_of() { sed -n 's/.*"id":"\([0-9a-f]\{32\}\)".*/\1/p' "$1" | head -1; }

run 0 "$L" publish --profile ventimiglia --kind route --tlp AMBER --release-region MED-CENTRAL \
	--region MED-CENTRAL --title "Departures tonight" --set mode=sea \
	--to IT-PS/roma --to MT-AFM/valletta --json
MSG=$(id_of "$T/out")
expect_in "$T/out" '"disclosed":2'
run 0 "$L" listen --profile roma --count 1 --timeout 10 # roma holds a copy; valletta is offline

# Nobody but the originator erases it, and the answer is the same as for
# a message that does not exist.
run 1 "$L" erase "$MSG" --reason "mine now" --profile roma
expect_in "$T/err" "no message of yours has that id"
run 1 "$L" erase 00112233445566778899aabbccddeeff --reason "probe" --profile roma
expect_in "$T/err" "no message of yours has that id"
run 2 "$L" erase "$MSG" --profile ventimiglia # a reason is required
[ "$(count "erase id=$MSG")" -eq 0 ] && ok || bad "erased by someone else"

listen_bg roma IT-PS/roma "$T/roma.out" 6
run 0 "$L" erase "$MSG" --reason "wrong vessel: rectified" --profile ventimiglia
expect_in "$T/out" "erased $MSG"
run 0 "$L" erase "$MSG" --reason "again" --profile ventimiglia # harmless
wait "$LPID"
expect_in "$T/roma.out" '"event":"erase"'
expect_in "$T/roma.out" '"on_demand":true'
run 1 "$L" read "$MSG" --profile roma
# valletta, offline until now, is told when it connects.
run 0 "$L" listen --profile valletta --timeout 3 --json
expect_in "$T/out" '"on_demand":true'
expect_in "$T/out" "\"id\":\"$MSG\""
run 0 "$L" listen --profile valletta --timeout 2 --json # confirmed: not owed again
grep -q '"event":"erase"' "$T/out" && bad "the notice was owed again after the purge" || ok

# --- an erased verification request is withdrawn ---
run 0 "$L" verification request --profile ventimiglia --country HR --type passport --number 7 --json
REQ=$(id_of "$T/out")
run 0 "$L" erase "$REQ" --reason "document returned to the holder" --profile ventimiglia
run 0 "$L" verification list --profile ventimiglia --id "$REQ" --json
expect_in "$T/out" '"state":"withdrawn"'
run 4 "$L" publish --profile zagreb --kind verification-answer --in-reply-to "$REQ" --tlp AMBER \
	--release-principal IT-GDF/ventimiglia --set verdict=genuine --title a --json
expect_in "$T/out" '"rule":"verification.withdrawn"'

# --- the ledger: one erase record each, by the originator, with its
# reason; each recipient's purge confirmed ---
kill -TERM "$BPID"
wait "$BPID" 2>/dev/null
BPID=
DB="$X/data/liaison.db"
run 0 "$AUDIT" query --ledger "$DB" --message "$MSG" --op erase --json
[ "$(grep -c '"operation":"erase"' "$T/out")" -eq 1 ] && ok || bad "not one erase record"
expect_in "$T/out" '"actor":{"subject":"IT-GDF/ventimiglia"'
expect_in "$T/out" "erased on demand by its originator before its expiry: wrong vessel: rectified"
run 0 "$AUDIT" query --ledger "$DB" --message "$MSG" --op acknowledge --json
[ "$(grep -c 'every copy purged' "$T/out")" -eq 2 ] && ok || bad "not two purge confirmations"
[ -z "$(sqlite3 "$DB" "SELECT envelope FROM messages WHERE id = x'$MSG'")" ] && ok ||
	bad "the ciphertext is still stored"
run 0 "$AUDIT" verify --ledger "$DB" --cert "$X/broker/cert.crt" --authority "$X/authority/authority.pub" --quiet

lia_done erasure

#!/bin/bash
# verification.sh BUILD SRC RAWCLIENT — document verification (issue 13,
# Protocol Art. 13) with the real agent and broker: a request goes to the
# issuing state's office and nowhere else; refusals (no office, an office
# nobody can receive, other addressees, a stranger answering, a second
# answer that is not a correction); an answer in time, and its
# correction; the requester told of the answer; a request that goes
# overdue while the broker is stopped, recorded once after the restart,
# the office reminded before and after the deadline; a late answer; the
# ledger's records, never the document's content.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
# Short deadlines for urgent requests, so that one goes overdue here.
sed -i 's/^    urgent: 8h$/    urgent: 8s/; s/^  remind_before: 1h$/  remind_before: 5s/' "$X/exchange.yaml"
grep -q "urgent: 8s" "$X/exchange.yaml" && grep -q "remind_before: 5s" "$X/exchange.yaml" || bad "the policy was not edited"
hup
id_of() { sed -n 's/.*"id":"\([0-9a-f]\{32\}\)".*/\1/p' "$1" | head -1; }
DOC=(--type passport --number 012345678 --holder-name "Ivan Example" --data-subject suspect)

# --- refusals at once, each naming its rule ---
run 4 "$L" verification request --profile ventimiglia --country LY "${DOC[@]}"
expect_in "$T/err" "rule verification.no-office"
expect_in "$T/err" "documents issued by LY"
# Greece's office is GR-HCG, whose only principal holds no liaison role.
run 4 "$L" verification request --profile ventimiglia --country GR "${DOC[@]}" --release-agency GR-HCG
expect_in "$T/err" "rule verification.office-unreachable"
# A request addressed to someone besides its office.
run 4 "$L" publish --profile ventimiglia --kind verification-request --tlp AMBER --release-agency HR-MUP \
	--set issuing_state=HR --set type=passport --title q --to IT-PS/roma
expect_in "$T/err" "verification.to"
# Nothing was recorded of the refused ones.
[ "$(count verification-requested)" -eq 0 ] && ok || bad "a refused request was recorded"

# --- a request answered in time, then corrected ---
run 0 "$L" verification request --profile ventimiglia --country HR "${DOC[@]}" --reason "laminate lifts" --json
REQ=$(id_of "$T/out")
expect_in "$T/out" '"office":"HR-MUP"'
expect_in "$T/out" '"state":"open"'
expect_in "$T/out" '"urgency":"normal"'
run 0 "$L" verification list --profile zagreb --open --json
expect_in "$T/out" "\"id\":\"$REQ\""
run 0 "$L" verification list --profile roma --json # neither side: sees nothing
[ -s "$T/out" ] && bad "a third principal sees the request" || ok
run 0 "$L" listen --profile zagreb --count 1 --timeout 10 --json
expect_in "$T/out" '"kind":"verification-request"'
expect_in "$T/out" '"via":"verification"'
# The body the office reads names the document; the route agrees.
run 0 "$L" read "$REQ" --profile zagreb
expect_in "$T/out" "012345678"
expect_in "$T/out" "verification  document of HR, normal"

# A stranger cannot answer: neither through the command nor by hand.
run 4 "$L" publish --profile roma --kind verification-answer --in-reply-to "$REQ" --tlp AMBER \
	--release-principal IT-GDF/ventimiglia --set verdict=genuine --title a --json
expect_in "$T/out" '"rule":"verification.not-office"'
run 1 "$L" verification answer "$REQ" --verdict genuine --profile roma
expect_in "$T/err" "no verification request with that id concerns you"

listen_bg ventimiglia IT-GDF/ventimiglia "$T/req.out" 8
run 0 "$L" verification answer "$REQ" --verdict genuine --details "issued in Zagreb 2024" --profile zagreb
expect_in "$T/out" "answered $REQ with"
# A second answer must say which one it corrects.
run 4 "$L" publish --profile zagreb --kind verification-answer --in-reply-to "$REQ" --tlp AMBER \
	--release-principal IT-GDF/ventimiglia --set verdict=false --title b --json
expect_in "$T/out" '"rule":"verification.answered"'
run 0 "$L" verification answer "$REQ" --verdict altered --details "photo substituted" --profile zagreb
expect_in "$T/out" "corrected the answer to $REQ"
wait "$LPID"
expect_in "$T/req.out" '"kind":"verification-answer"'
expect_in "$T/req.out" '"notice":"answered"'
run 0 "$L" verification list --profile ventimiglia --answered --json
expect_in "$T/out" '"answers":2'
expect_in "$T/out" '"late":false'
run 0 "$L" verification list --profile ventimiglia --answered
expect_in "$T/out" "a correction: 2 answers"

# --- an urgent request, reminded, overdue while the broker is down ---
listen_bg zagreb HR-MUP/zagreb "$T/z.out" 6
run 0 "$L" verification request --profile ventimiglia --country HR --type id-card --number 99 \
	--urgency urgent --json
URG=$(id_of "$T/out")
wait "$LPID"
expect_in "$T/z.out" '"notice":"due-soon"'
expect_in "$T/z.out" "\"id\":\"$URG\""
kill -TERM "$BPID"
wait "$BPID" 2>/dev/null
BPID=
sleep 4 # past the 8 s deadline, by the broker's clock, while it is stopped
start_broker
for _ in $(seq 50); do [ "$(count "verification-overdue id=$URG")" -ge 1 ] && break; sleep 0.1; done
[ "$(count "verification-overdue id=$URG")" -eq 1 ] && ok || bad "no overdue record after the restart"
# Both sides see it overdue; the office is told when it connects.
run 0 "$L" verification list --profile ventimiglia --overdue --json
expect_in "$T/out" "\"id\":\"$URG\""
run 0 "$L" listen --profile zagreb --timeout 3 --json
expect_in "$T/out" '"notice":"overdue"'
# Recorded once, also across another restart.
kill -TERM "$BPID"
wait "$BPID" 2>/dev/null
BPID=
start_broker
sleep 1.5
run 0 "$L" verification answer "$URG" --verdict false --profile zagreb
expect_in "$T/out" "after the deadline"
run 0 "$L" verification list --profile zagreb --id "$URG" --json
expect_in "$T/out" '"late":true'
expect_in "$T/out" '"state":"answered"'

# --- the ledger: each step once, never the document ---
kill -TERM "$BPID"
wait "$BPID" 2>/dev/null
BPID=
DB="$X/data/liaison.db"
n() { "$AUDIT" query --ledger "$DB" --op "$1" --json | grep -c "$2"; }
[ "$(n verification-requested "$REQ")" -eq 1 ] && ok || bad "requested records of $REQ"
[ "$(n verification-answered "$REQ")" -eq 2 ] && ok || bad "answered records of $REQ"
[ "$(n verification-overdue "$URG")" -eq 1 ] && ok || bad "overdue records of $URG"
[ "$(n verification-overdue "$REQ")" -eq 0 ] && ok || bad "the answered request was made overdue"
run 0 "$AUDIT" query --ledger "$DB" --op verification-requested --json
expect_in "$T/out" "answer due by"
"$AUDIT" export --ledger "$DB" >"$T/export.jsonl" 2>/dev/null
grep -q -e "012345678" -e "Ivan Example" "$T/export.jsonl" && bad "the ledger holds the document" || ok
run 0 "$AUDIT" verify --ledger "$DB" --cert "$X/broker/cert.crt" --authority "$X/authority/authority.pub" --quiet

lia_done verification

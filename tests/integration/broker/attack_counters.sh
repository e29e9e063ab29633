#!/bin/bash
# attack_counters.sh BUILD SRC RAWCLIENT — issue 10, item 6: counters
# that leak. A principal must not learn from the numbers the broker shows
# it how much traffic passed that it was never shown. A (ventimiglia)
# publishes N messages to B (valletta) only, between two messages to C
# (roma); C's delivery numbers, inbox numbers, erase notice, publish-ack
# sequence and disclosures answer must count only what concerns C.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
N=6
A=ventimiglia C=roma
pub() { # pub PROFILE TITLE TO [ARGS...]: publish a GREEN carrier sighting to one principal
	local p=$1 title=$2 to=$3
	shift 3
	"$L" publish --profile "$p" --kind carrier --tlp GREEN --region MED-CENTRAL \
		--title "$title" --set vessel.name="$title" --to "$to" --json "$@"
}
seqs() { sed -n 's/.*"sequence":\([0-9]*\).*/\1/p' "$1" | tr '\n' ' '; }

# Message 1, to C.
run 0 pub $A "first for roma" IT-PS/roma
expect_in "$T/out" '"accepted":true'
ID1=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
# N messages to B only: C is never shown them.
for i in $(seq 1 $N); do
	pub $A "for valletta $i" MT-AFM/valletta >"$T/b$i" 2>&1 || bad "publish $i to valletta"
done
# Message N+2, to C, expiring in a few seconds (for the erase notice).
exp=$(date -u -d @$(($(date +%s) + 4)) +%Y-%m-%dT%H:%M:%SZ)
run 0 pub $A "second for roma" IT-PS/roma --expires-at "$exp"
expect_in "$T/out" '"accepted":true'
ID2=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
# A's own acks count A's own publications: N + 2 of them.
[ "$(seqs "$T/out")" = "$((N + 2)) " ] && ok || bad "A's publish-ack sequence $(seqs "$T/out"), expected $((N + 2))"

# C receives its two messages as deliveries 1 and 2: no gap for B's N.
run 0 "$L" listen --profile $C --count 2 --timeout 10 --json
[ "$(grep -c '"event":"message"' "$T/out")" = 2 ] && ok || bad "roma received $(grep -c '"event":"message"' "$T/out") of 2"
[ "$(seqs "$T/out")" = "1 2 " ] && ok || bad "roma's delivery numbers are $(seqs "$T/out"), expected 1 2 (a gap counts others' traffic)"

# C's inbox: the same numbers, consecutive; paging by them works.
run 0 "$L" inbox --profile $C --json
[ "$(seqs "$T/out")" = "1 2 " ] && ok || bad "roma's inbox numbers are $(seqs "$T/out"), expected 1 2"
run 0 "$L" inbox --profile $C --after 1 --json
[ "$(seqs "$T/out")" = "2 " ] && ok || bad "roma's inbox after 1 holds $(seqs "$T/out"), expected 2"

# C's own first publication is its number 1, whatever A published.
run 0 pub $C "from roma" MT-AFM/valletta
expect_in "$T/out" '"accepted":true'
IDC=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
[ "$(seqs "$T/out")" = "1 " ] && ok || bad "roma's publish-ack sequence is $(seqs "$T/out"), expected 1 (its own first)"
# The repeated publish's original ack says the same.

# Asking who received its message, C is not told the ledger's length.
run 0 "$L" disclosures "$IDC" --profile $C
grep -q "ledger record" "$T/out" && bad "an originator is told the ledger's record number: $(grep 'ledger record' "$T/out")" || ok
# An auditor still is.
run 0 "$L" disclosures "$IDC" --profile auditor
expect_in "$T/out" "ledger record"

# Consent request numbers: valletta asks about three of its messages,
# then roma about its first; roma's number must not count valletta's
# requests (they were 1 2 3, then 4), nor anyone's.
for i in 1 2 3; do
	id=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/b$i")
	"$L" consent ask "$id" --to GR-HCG --purpose "counting $i" --profile valletta --json >"$T/v$i" 2>&1 ||
		bad "valletta's consent request $i: $(cat "$T/v$i")"
done
RV=$(sed -n 's/.*"request":\([0-9]*\),.*/\1/p' "$T/v3")
run 0 "$L" consent ask "$ID1" --to HR-MUP --purpose "counting" --profile $C --json
RC=$(sed -n 's/.*"request":\([0-9]*\),.*/\1/p' "$T/out")
[ -n "$RC" ] && [ -n "$RV" ] && [ "$RC" != $((RV + 1)) ] && [ "$RC" -gt 1000000 ] && ok ||
	bad "roma's consent request is number $RC right after valletta's $RV: it counts others' requests"
# The originator answers by that number; the requester lists it by it.
run 0 "$L" consent refuse "$RC" --reason "not now" --profile $A
run 0 "$L" consent list "$RC" --profile $C --json
expect_in "$T/out" '"state":"refused"'

# The erase notice of message N+2 names C's delivery 2.
sleep 3
run 0 "$L" listen --profile $C --count 1 --timeout 10 --json
expect_in "$T/out" '"event":"erase"'
expect_in "$T/out" "\"id\":\"$ID2\""
[ "$(seqs "$T/out")" = "2 " ] && ok || bad "roma's erase notice names delivery $(seqs "$T/out"), expected 2"

# B, meanwhile, numbers its own N deliveries 1..N.
run 0 "$L" listen --profile valletta --count $((N + 1)) --timeout 10 --json
[ "$(seqs "$T/out")" = "$(seq -s ' ' 1 $((N + 1))) " ] && ok || bad "valletta's delivery numbers are $(seqs "$T/out")"

lia_done attack_counters

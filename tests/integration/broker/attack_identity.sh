#!/bin/bash
# attack_identity.sh BUILD SRC RAWCLIENT — issue 10, item 1: a certified
# principal (Piraeus) sets its DEALER's ZMQ_ROUTING_ID to another
# principal's routing identity (Valletta's) with its own valid keys:
#   (a) connected first, it must not lock Valletta out;
#   (b) connected after Valletta dropped while the broker still holds
#       Valletta's session, it must receive none of Valletta's Deliver,
#       Erase or consent notices;
#   (c) the broker logs the attempt.
# Then the same with a routing id taken from another principal's
# session (as if it had leaked): the frame is refused, logged, and the
# session it pointed at is forgotten, so nothing more goes to that id.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
VCERT="$X/certs/valletta.crt"   # public: the directory serves it to everyone
squat_bg() { # squat_bg PROFILE TARGET SECONDS OUT: the squatter, in the background
	"$RAW" "$X/profiles/$1.yaml" squat "$2" "$3" >"$4" 2>&1 &
	LPID=$!
	for _ in $(seq 50); do grep -q squatting "$4" && break; sleep 0.1; done
	sleep 0.5 # connected and its Hello read
}
squat_wait() { wait "$LPID"; LPID=; }

# --- (a) the squatter is connected first: Valletta still connects and receives ---
squat_bg piraeus "$VCERT" 6 "$T/squat-a.out"
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp RED --release-principal MT-AFM/valletta \
	--title "for Valletta only" --set vessel.name=A --to MT-AFM/valletta --json
run 0 "$L" listen --profile valletta --count 1 --timeout 5 --json
expect_in "$T/out" '"title":"for Valletta only"'
squat_wait
grep -q '^received' "$T/squat-a.out" && bad "the squatter received: $(cat "$T/squat-a.out")" || ok
grep -q '^hello-answer welcome' "$T/squat-a.out" && bad "the squatter got a session" || ok
# (c) and the broker says who tried to take whose routing id.
expect_in "$X/broker.log" 'routing-id-refused from=GR-HCG/piraeus reason="the routing id is the transport key of MT-AFM/valletta"'

# --- (b) Valletta drops; the broker still holds its session; the squatter comes ---
# Valletta originates a message Roma holds, so that a consent request
# notifies Valletta; and it takes a copy of a short-lived message, so
# that the expiry owes it an erase notice.
run 0 "$L" publish --profile valletta --kind carrier --tlp AMBER --handling H2 --release-region MED-CENTRAL \
	--region MED-CENTRAL --title "Valletta's own" --set vessel.name=O --to IT-PS/roma --json
OID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
run 0 "$L" read "$OID" --profile roma
exp=$(date -u -d "@$(($(date +%s) + 5))" +%Y-%m-%dT%H:%M:%SZ)
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
	--title "short-lived" --set vessel.name=S --expires-at "$exp" --to MT-AFM/valletta --json
EID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
run 0 "$L" listen --profile valletta --count 1 --timeout 5 --json   # then it drops
expect_in "$T/out" '"title":"short-lived"'
squat_bg piraeus "$VCERT" 8 "$T/squat-b.out"
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp RED --release-principal MT-AFM/valletta \
	--title "RED for Valletta" --set vessel.name=R --to MT-AFM/valletta --json
RID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
run 0 "$L" consent ask "$OID" --to RS-MUP/beograd --purpose "joint patrol" --profile roma --json
squat_wait   # outlives the expiry of the short-lived message
for what in deliver erase consent-list; do
	grep -q "^received $what" "$T/squat-b.out" && bad "the squatter received Valletta's $what: $(grep "^received $what" "$T/squat-b.out")" || ok
done
grep -q '^received' "$T/squat-b.out" && bad "the squatter received: $(cat "$T/squat-b.out")" || ok
# The ledger says "disclosed to Valletta": Valletta really gets it, and the erase.
run 0 "$L" listen --profile valletta --count 2 --timeout 8 --json
expect_in "$T/out" "\"id\":\"$RID\""
expect_in "$T/out" "\"event\":\"erase\",\"id\":\"$EID\""
[ "$(count 'routing-id-refused from=GR-HCG/piraeus')" -ge 2 ] && ok || bad "the second squat was not logged"

# --- a routing id another principal's session holds (as if it had leaked) ---
LEAK=ff$(od -An -tx1 -N31 /dev/urandom | tr -d ' \n')
squat_bg zagreb "$LEAK" 1 "$T/own.out"     # Zagreb's own session on that id
squat_wait
expect_in "$T/own.out" '^hello-answer welcome'
squat_bg piraeus "$LEAK" 4 "$T/leak.out"
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL --title "for Zagreb" \
	--set vessel.name=Z --to HR-MUP/zagreb --json
squat_wait
grep -q '^received\|^hello-answer' "$T/leak.out" && bad "the squatter of a session's id got: $(cat "$T/leak.out")" || ok
expect_in "$X/broker.log" 'routing-id-refused from=GR-HCG/piraeus reason="the routing id is held by the session of HR-MUP/zagreb"'
run 0 "$L" listen --profile zagreb --count 1 --timeout 5 --json
expect_in "$T/out" '"title":"for Zagreb"'

lia_done attack_identity

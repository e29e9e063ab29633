#!/bin/bash
# attack_disclosure.sh BUILD SRC RAWCLIENT — issue 10, items 2, 3, 4 and 7,
# as a hostile principal would try them against the real broker:
#   2. key wraps for principals the message's markings exclude: refused
#      (rule envelope.over-wrapped); an accepted RED message is stored
#      with the wraps of its originator and permitted recipients only;
#   3. a publish reusing another originator's message id is answered
#      exactly as a forged publish of a fresh id: no existence oracle;
#   4. acknowledging a delivery never sent (still embargoed) writes no
#      acknowledge record, and the real delivery later still works;
#   7. "who received my message" shows a recipient's feed name only to
#      that subscriber and to auditors; the originator reads "via a feed".
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
DB="$X/data/liaison.db"
# The box key id of a principal, as its wraps name it.
box_kid() { "$CERTS" inspect "$X/$1/cert.crt" --json | sed 's/.*"box_key_id":"\([0-9a-f]*\)".*/\1/'; }
# The wrap key ids of a stored message, sorted, on one line.
stored_wraps() {
	rm -f "$T/stored.env"
	sqlite3 "$DB" "SELECT writefile('$T/stored.env', envelope) FROM messages WHERE hex(id) = upper('$1')" >/dev/null
	[ -s "$T/stored.env" ] || { echo "none"; return; }
	"$RAW" - wraps "$T/stored.env" | sort | tr '\n' ' '
}
id_of() { sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out"; }

run 0 "$L" subscribe kurdish-smuggler-watch --profile roma --region MED-CENTRAL
run 0 "$L" subscribe aegean-watch --profile piraeus

# --- 2. over-wrapped keys ---
# A RED message released to Valletta alone, sealed offline with wraps for
# three principals its own marking excludes, then published: refused.
run 0 "$L" seal --keys "$X/ventimiglia" --authority-key "$X/authority/authority.pub" \
	--to "$X/valletta/cert.crt" --to "$X/roma/cert.crt" --to "$X/piraeus/cert.crt" \
	--to "$X/zagreb/cert.crt" --kind carrier --tlp RED --release-principal MT-AFM/valletta \
	--title "over-wrapped" --set vessel.name="OVER" --out "$T/over.env"
run 4 "$L" publish --profile ventimiglia --envelope "$T/over.env" --to MT-AFM/valletta
expect_in "$T/err" "envelope.over-wrapped"
expect_in "$T/err" "whom the message's own restrictions exclude"
n=$(sqlite3 "$DB" "SELECT count(*) FROM messages")
[ "$n" = 0 ] && ok || bad "a refused over-wrapped envelope was stored ($n messages)"
# The honest agent wraps only for whom the marking admits (it is not
# refused): Ventimiglia itself, Valletta and Zagreb. The broker keeps the
# originator's and the permitted recipient's: Zagreb, admitted by the
# marking but not addressed, is no recipient and keeps no wrap; Roma's
# feed matches but RED excludes it.
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp RED --region MED-CENTRAL \
	--release-principal MT-AFM/valletta --release-principal HR-MUP/zagreb \
	--title "red for valletta" --set vessel.name="RED" --to MT-AFM/valletta --json
expect_in "$T/out" '"accepted":true'
RID=$(id_of)
want=$(printf '%s\n' "$(box_kid ventimiglia)" "$(box_kid valletta)" | sort | tr '\n' ' ')
got=$(stored_wraps "$RID")
[ "$got" = "$want" ] && ok || bad "stored RED envelope wraps [$got], expected exactly [$want]"
run 0 "$L" listen --profile valletta --count 1 --timeout 10 --json
expect_in "$T/out" '"title":"red for valletta"'
# An AMBER message for the region: wraps for whom the policy withheld it
# (Piraeus, outside the region, reached by its feed) are not stored.
run 0 "$L" publish --profile ventimiglia --kind route --tlp AMBER --handling H2 \
	--release-region MED-CENTRAL --region MED-CENTRAL --evaluation B2 \
	--title "amber for the region" --set mode=sea --to MT-AFM/valletta --json
expect_in "$T/out" '"accepted":true'
AID=$(id_of)
want=$(printf '%s\n' "$(box_kid ventimiglia)" "$(box_kid valletta)" "$(box_kid roma)" | sort | tr '\n' ' ')
got=$(stored_wraps "$AID")
[ "$got" = "$want" ] && ok || bad "stored AMBER envelope wraps [$got], expected exactly [$want]"
run 0 "$L" listen --profile roma --count 1 --timeout 10 --json
expect_in "$T/out" '"title":"amber for the region"'

# --- 7. other principals' feeds ---
run 0 "$L" disclosures "$AID" --profile ventimiglia --json
expect_in "$T/out" '"recipient":"IT-PS/roma","disclosed":true'
expect_in "$T/out" 'via a feed'
grep -q -e kurdish-smuggler-watch -e aegean-watch "$T/out" &&
	bad "the originator reads another agency's feed name: $(cat "$T/out")" || ok
run 0 "$L" disclosures "$AID" --profile auditor --json
expect_in "$T/out" 'via kurdish-smuggler-watch'
expect_in "$T/out" 'via aegean-watch'

# --- 3. existence oracle ---
# Roma seals a message of its own, then publishes it with Ventimiglia's
# existing id (signed again: a valid envelope of Roma's), and with that id
# and a bad signature; each answer must be the one a forged publish of a
# fresh id gets.
run 0 "$L" seal --keys "$X/roma" --authority-key "$X/authority/authority.pub" \
	--to "$X/valletta/cert.crt" --kind carrier --tlp GREEN --region MED-CENTRAL \
	--title "probe" --set vessel.name="PROBE" --out "$T/probe.env"
run 0 "$RAW" "$X/profiles/roma.yaml" forge "$T/probe.env"
forged=$(cat "$T/out")
expect_in "$T/out" "accepted=0 duplicate=0 refusal=verification failed"
run 0 "$RAW" "$X/profiles/roma.yaml" reuse-id "$T/probe.env" "$RID"
[ "$(cat "$T/out")" = "$forged" ] && ok ||
	bad "another originator's id answered \"$(cat "$T/out")\", a forged publish \"$forged\""
run 0 "$RAW" "$X/profiles/roma.yaml" reuse-id-forged "$T/probe.env" "$RID"
[ "$(cat "$T/out")" = "$forged" ] && ok ||
	bad "an existing id with a bad signature answered \"$(cat "$T/out")\", a forged publish \"$forged\""

# --- 4. false acknowledgement records ---
emb=$(date -u -d "@$(( $(date +%s) + 6 ))" +%Y-%m-%dT%H:%M:%SZ)
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
	--title "embargoed" --set vessel.name=E --embargo-until "$emb" --json
MID=$(id_of)
DSEQ=$(sqlite3 "$DB" "SELECT d.number FROM deliveries d JOIN messages m ON m.seq = d.message_seq
	WHERE d.recipient = 'IT-PS/roma' AND hex(m.id) = upper('$MID')")
[ -n "$DSEQ" ] && ok || bad "no delivery of the embargoed message to roma"
run 0 "$RAW" "$X/profiles/roma.yaml" ack "$DSEQ"
expect_in "$T/out" "ack-sent"
acks() { "$AUDIT" query --ledger "$DB" --message "$MID" --op acknowledge --json --quiet | grep -c '"operation":"acknowledge"'; }
[ "$(acks)" = 0 ] && ok || bad "an acknowledgement of an embargoed delivery was recorded"
expect_in "$X/broker.log" "ack-ignored delivery=$DSEQ from=IT-PS/roma"
run 0 "$L" listen --profile roma --count 1 --timeout 15 --json
expect_in "$T/out" '"title":"embargoed"'
for _ in $(seq 30); do [ "$(acks)" = 1 ] && break; sleep 0.1; done
[ "$(acks)" = 1 ] && ok || bad "the real delivery's acknowledgement was not recorded once ($(acks))"

lia_done attack_disclosure

#!/bin/bash
# attack_personal.sh BUILD SRC RAWCLIENT — issue 10, item 11, with the real
# agent and broker: a body whose fields name a person (a verification
# request's holder, a network's members) cannot be published or sealed
# without the data-subject categories those fields imply, so the
# personal-data rules of the policy always see it. With the categories
# declared, the same message goes through.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
sessions() { count "session subject=IT-GDF/ventimiglia"; }
before=$(sessions)

# The holder's name, and no category: refused before anything is sent.
VR=(--kind verification-request --tlp AMBER --handling H2 --region MED-CENTRAL --release-region MED-CENTRAL
	--title "Is this passport genuine?" --set type=passport --set issuing_state=MT
	--set number=L1234567 --set "holder_name=Ahmed Example" --set urgency=urgent)
run 2 "$L" publish --profile ventimiglia "${VR[@]}" --to MT-AFM/valletta --json
expect_in "$T/err" "verification_request.holder_name names the document's holder"
# Network members are suspects: another category does not cover them.
NET=(--kind network --tlp AMBER --handling H2 --region MED-CENTRAL --release-region MED-CENTRAL
	--title "Zuwara group"
	--set network_name=Z-1 --set "network.actors[0].aliases=the doctor"
	--set "network.actors[0].role=organiser")
run 2 "$L" publish --profile ventimiglia "${NET[@]}" --data-subject smuggled-migrant --to MT-AFM/valletta
expect_in "$T/err" "declare the data-subject category suspect"
# A body file without data_subjects, offline: refused the same way.
printf '%s\n' '{"title":"q","verification_request":{"holder_name":"Ahmed Example"}}' >"$T/body.json"
run 2 "$L" seal --keys "$X/ventimiglia" --authority-key "$X/authority/authority.pub" \
	--to "$X/valletta/cert.crt" --kind verification-request --tlp AMBER --handling H2 \
	--body "$T/body.json" --out "$T/vr.env"
expect_in "$T/err" "holder_name names the document's holder"
[ -e "$T/vr.env" ] && bad "an envelope was written" || ok
[ "$(sessions)" -eq "$before" ] && ok || bad "the refused messages reached the broker"

# Declared, they go through, and the policy's personal-data rule now
# sees them: MT-AFM may never receive personal data (exchange.yaml), so
# valletta is withheld, where the undeclared message reached it before.
# A verification request goes to its office alone (here Malta's, MT-AFM):
# nobody else may receive it, so it is refused whole, naming the rule.
run 4 "$L" publish --profile ventimiglia "${VR[@]}" --data-subject smuggled-migrant --json
expect_in "$T/out" '"accepted":false'
expect_in "$T/out" 'MT-AFM/valletta may not receive it'
# An Italian document goes to IT-PS, which may: accepted.
run 0 "$L" publish --profile ventimiglia "${VR[@]/issuing_state=MT/issuing_state=IT}" \
	--data-subject smuggled-migrant --json
expect_in "$T/out" '"accepted":true'
expect_in "$T/out" '"disclosed":1,"withheld":0'
run 0 "$L" publish --profile ventimiglia "${NET[@]}" --data-subject suspect \
	--to MT-AFM/valletta --to IT-PS/roma --json
expect_in "$T/out" '"disclosed":1,"withheld":1'

lia_done attack_personal

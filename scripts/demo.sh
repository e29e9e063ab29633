#!/bin/bash
# demo.sh BUILD-DIR — the demonstration exchange, narrated.
#
# An authority, a broker on the embedded SQLite store, principals of
# seven agencies in three regions, the example exchange policy; then
# alerts, feeds, a refused disclosure, an analyst catching up, an
# originator asking who received its alert, document verification
# requests (one answered in time, one overdue), an alert recalled and
# erased on demand, reaching an analyst who was offline, a revoked key, and an
# auditor verifying the ledger and a proof. Everything stays in
# ./demo-exchange for you to explore.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
L="$BUILD/agent/liaison" CERTS="$BUILD/certs/liaison-certs"
BROKER="$BUILD/broker/liaison-broker" AUDIT="$BUILD/audit/liaison-audit"
X="$PWD/demo-exchange"
PORT=${LIAISON_DEMO_PORT:-7400}

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$'\033[1m' D=$'\033[2m' R=$'\033[0m'; else B= D= R=; fi
step() { printf '\n%s== %s%s\n' "$B" "$*" "$R"; }
say() { printf '%s\n' "$*"; }
line() { # the command as a user would type it: program name, quoted words
	local words=("$@") w out=${1##*/}
	for w in "${words[@]:1}"; do
		case $w in *[[:space:]]*) out+=" \"$w\"" ;; *) out+=" $w" ;; esac
	done
	printf '%s' "$out"
}
show() {
	printf '%s$ %s%s\n' "$D" "$(line "$@")" "$R"
	"$@"
}
show_to() { # show_to FILE CMD...: like show, the command's output into FILE
	local out=$1
	shift
	printf '%s$ %s > %s%s\n' "$D" "$(line "$@")" "$out" "$R"
	"$@" >"$out"
}
expect_fail() { set +e; "$@"; local rc=$?; set -e; say "  (exit status $rc)"; }

BPID=
stop_broker() { [ -n "$BPID" ] && kill -TERM "$BPID" 2>/dev/null && wait "$BPID" 2>/dev/null; BPID=; }
trap stop_broker EXIT

rm -rf "$X"
step "1. The exchange: an authority, a broker, seven agencies in three regions"
say "The authority's Ed25519 key is the root of trust; each office made its own keys"
say "and sent only a signing request. Keys here have no passphrase (demo only)."
"$SRC/scripts/mkexchange.sh" "$BUILD" "$X" "$PORT"
cd "$X"
export LIAISON_PROFILES="$X/profiles"
# Deadlines a demonstration can wait for: routine verification requests
# get 6 seconds here, and the office a reminder 3 seconds before.
sed -i 's/^    routine: 7d$/    routine: 6s/; s/^  remind_before: 1h$/  remind_before: 3s/' exchange.yaml
show "$CERTS" verify --authority-key authority/authority.pub --crl authority/revocations.crl certs/*.crt

step "2. The broker starts on its embedded SQLite store"
say "Policy: policy/examples/exchange.yaml (regions, agencies, agreements, roles)."
"$BROKER" --config broker.yaml >>broker.log 2>&1 &
BPID=$!
for _ in $(seq 50); do grep -q "listening" broker.log 2>/dev/null && break; sleep 0.1; done
sed 's/^/  broker: /' broker.log
show "$L" directory --profile ventimiglia

step "3. Analysts subscribe to regional feeds, then go offline"
show "$L" subscribe med-routes --profile roma --kind route --kind carrier --region MED-CENTRAL
show "$L" subscribe balkans --profile beograd --region WESTERN-BALKANS
show "$L" subscribe everything --profile piraeus

step "4. A route alert to the Central Mediterranean feed"
say "Guardia di Finanza in Ventimiglia: departures from Zuwara. TLP AMBER releasable"
say "to MED-CENTRAL members, H2 (no onward dissemination without permission)."
show_to alert.json "$L" publish --profile ventimiglia --kind route --tlp AMBER --handling H2 --evaluation B2 \
	--release-region MED-CENTRAL --region MED-CENTRAL \
	--title "Night departures from Zuwara towards Lampedusa" \
	--set mode=sea --set capacity=90 --set price_per_person=350000 --set price_currency=EUR \
	--set 'embarkation[0].name=Zuwara' --set 'embarkation[0].country=LY' \
	--set 'destination[0].name=Lampedusa' --set 'destination[0].country=IT' --json
cat alert.json
ALERT=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' alert.json)
say "Piraeus (Hellenic Coast Guard) subscribes to everything, but the alert is"
say "releasable to MED-CENTRAL only: the broker withheld it and recorded why."

step "5. A carrier report, RED, to one named counterpart"
show "$L" publish --profile ventimiglia --kind carrier --tlp RED --release-principal MT-AFM/valletta \
	--to MT-AFM/valletta --handling H1 --evaluation A2 --region MED-CENTRAL \
	--title "AL AMAL (IMO 9123456) loading at Zuwara tonight" \
	--set vessel.name="AL AMAL" --set vessel.imo=9123456 --set vessel.flag=TG
show "$L" listen --profile valletta --count 1 --timeout 10

step "6. A document alert, GREEN, for the whole exchange"
show "$L" publish --profile zagreb --kind document --tlp GREEN --evaluation A1 \
	--region WESTERN-BALKANS --region MED-CENTRAL \
	--title "Stolen blank passports, serial range A4410000-A4410999" \
	--set type=passport --set issuing_state=HR --set serial_from=A4410000 \
	--set serial_to=A4410999 --set status=stolen-blank \
	--set 'detection_tips=laminate lifts at the data page corner'

step "7. The analysts come back online and catch up, in commit order"
show "$L" listen --profile roma --timeout 3
show "$L" listen --profile beograd --timeout 3
say "Piraeus, whom the policy refused the route alert, sees only what it may:"
show "$L" listen --profile piraeus --timeout 3
show "$L" read "$ALERT" --profile roma


step "8. Rome asks to pass the alert on; the originator consents once, refuses once"
say "H2 and the MED-CENTRAL release forbid onward dissemination, so Rome asks the"
say "originator. Belgrade is outside the alert's audience until Ventimiglia consents."
show_to ask.json "$L" consent ask "$ALERT" --to RS-MUP/beograd --profile roma --json \
	--purpose "joint investigation of the Zuwara-Belgrade route with the Serbian police"
cat ask.json
ASK=$(sed 's/.*"request":\([0-9]*\),.*/\1/' ask.json)
show_to ask2.json "$L" consent ask "$ALERT" --to GR-HCG --profile roma --json \
	--purpose "warn the Hellenic Coast Guard patrols in the Aegean"
ASK2=$(sed 's/.*"request":\([0-9]*\),.*/\1/' ask2.json)
say "Ventimiglia sees what waits for its answer:"
show "$L" consent list --profile ventimiglia
say "It consents to Belgrade (its agent wraps the key for Belgrade and signs the"
say "consent) and refuses the Coast Guard; Rome cannot approve its own request."
expect_fail "$L" consent grant "$ASK" --profile roma
show "$L" consent grant "$ASK" --profile ventimiglia
show "$L" consent refuse "$ASK2" --reason "source protection: the source is known in Piraeus" \
	--profile ventimiglia
show "$L" listen --profile beograd --count 1 --timeout 10
say "Piraeus still has nothing of it; Rome sees both answers:"
show "$L" consent list --profile roma

step "9. The originator asks who received its alert, and who was refused"
show "$L" disclosures "$ALERT" --profile ventimiglia

step "10. Document verification (Protocol Art. 13): one answered in time, one overdue"
say "At a check in Ventimiglia a Croatian passport looks wrong. Ventimiglia asks Croatia;"
say "the policy names HR-MUP's liaison officers as the office for Croatian documents,"
say "and the broker sends the request there alone, with an urgent deadline (8 hours)."
show_to vr.json "$L" verification request --profile ventimiglia --country HR --type passport \
	--number 012345678 --holder-name "Ivan Example" --data-subject suspect --urgency urgent \
	--reason "laminate lifts at the data page" --json
cat vr.json
VR=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' vr.json)
show "$L" listen --profile zagreb --count 1 --timeout 10
say "Only the office may answer; Rome cannot:"
expect_fail "$L" verification answer "$VR" --verdict genuine --profile roma
show "$L" verification answer "$VR" --verdict altered --details "photo substituted; not our laminate" \
	--profile zagreb
show "$L" listen --profile ventimiglia --count 1 --timeout 10
say "Rome asks Malta about a residence permit, routine. This demo's policy gives routine"
say "requests 6 seconds (a real one: 7 days); nobody in Valletta answers in time."
show "$L" verification request --profile roma --country MT --type residence-permit --number MT-0077 \
	--urgency routine --reason "stamp of an office that closed in 2020"
sleep 7
show "$L" verification list --overdue --profile roma
say "Valletta hears of it as soon as it connects:"
show "$L" listen --profile valletta --timeout 3

step "11. The originator recalls its alert and erases it before its expiry"
say "The Zuwara alert named the wrong departure point. Ventimiglia recalls it: a signed"
say "recall with the reason goes to every principal that received the alert (Rome, and"
say "Belgrade through the consent), from the broker's delivery records; with --erase the"
say "broker also deletes the ciphertext (rectification, Directive 2016/680 Art. 16) and"
say "tells every holder to purge its copy. Both are recorded in the ledger."
say "Rome has gone offline meanwhile."
show_to recall.out "$L" recall "$ALERT" --reason "wrong departure point; a corrected alert follows" \
	--erase --profile ventimiglia
cat recall.out
RECALL=$(sed 's/.* with \([0-9a-f]*\):.*/\1/' recall.out)
say "Rome is told as soon as it connects; its agent confirms the recall and the purge:"
show "$L" listen --profile roma --timeout 3
say "What is left of the alert for Rome says why:"
expect_fail "$L" read "$ALERT" --profile roma
show "$L" inbox --profile roma

step "12. A laptop is stolen: the authority revokes Zagreb's key"
serial=$("$CERTS" inspect --json zagreb/cert.crt | sed 's/.*"serial":"\([0-9]*\)".*/\1/')
show "$CERTS" revoke --authority authority --serial "$serial" --reason "laptop stolen"
kill -HUP "$BPID"
sleep 0.5
say "The broker reloaded and drops the key; the thief is refused at the handshake:"
expect_fail "$L" inbox --profile zagreb

step "13. The auditor verifies the ledger and a proof"
say "The auditor fetches the broker's signed checkpoint over the network..."
sleep 2.5
show_to kept.checkpoint "$L" checkpoint --profile auditor
cat kept.checkpoint
stop_broker
say "...and verifies the whole ledger offline, with nothing but the broker's"
say "certificate and the authority key: every record, every checkpoint."
show "$AUDIT" verify --ledger data/liaison.db --cert broker/cert.crt --authority authority/authority.pub \
	--checkpoint kept.checkpoint --quiet
show "$AUDIT" disclosures "$ALERT" --ledger data/liaison.db
say "The recall, and Rome's confirmation of it (Belgrade has not connected since):"
show "$AUDIT" query --ledger data/liaison.db --message "$ALERT" --op recall
show "$AUDIT" query --ledger data/liaison.db --message "$RECALL" --op acknowledge
say "Each verification request, answer and missed deadline is in the ledger, with its"
say "parties and deadline, never the document:"
show "$AUDIT" query --ledger data/liaison.db --op verification-requested --op verification-answered \
	--op verification-overdue
say "An inclusion proof that the refusal to Piraeus is in the log:"
show "$AUDIT" prove --ledger data/liaison.db --message "$ALERT" --recipient GR-HCG/piraeus -o refusal.tlog-proof
show "$AUDIT" verify-proof refusal.tlog-proof --cert broker/cert.crt --authority authority/authority.pub

step "Done"
say "The exchange's files are in $X:"
say "  authority/  the authority key (offline in real life), public key, revocation list"
say "  broker/ broker.yaml broker.log data/liaison.db   the broker, its log, store and ledger"
say "  <office>/  each office's keys (0600) and certificate; profiles/ their connections"
say "  exchange.yaml  the exchange policy in force"
say "Try:  LIAISON_PROFILES=$X/profiles $L inbox --profile valletta"

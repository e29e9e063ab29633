#!/bin/bash
# demo.sh BUILD-DIR — a short demonstration exchange, narrated.
#
# Until the broker lands, this plays the offline part of Liaison: an
# exchange authority, principals of five agencies in two regions, and
# signed, end-to-end encrypted envelopes moved as files, with their use
# restrictions, a refused reader, and a revocation. Everything is left in
# ./demo-exchange for you to explore with liaison-certs inspect and
# liaison open.
set -euo pipefail
BUILD=${1:-build}
CERTS="$PWD/$BUILD/certs/liaison-certs"
LIAISON="$PWD/$BUILD/agent/liaison"
X="$PWD/demo-exchange"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$'\033[1m' D=$'\033[2m' R=$'\033[0m'; else B= D= R=; fi
step() { printf '\n%s== %s%s\n' "$B" "$*" "$R"; }
say() { printf '%s\n' "$*"; }
show() { printf '%s$ %s%s\n' "$D" "$*" "$R"; "$@"; }

rm -rf "$X"
mkdir -p "$X"
cd "$X"

step "1. The exchange authority"
say "One Ed25519 key is the root of trust of the exchange. It is kept offline and"
say "signs certificates and revocation lists. (--insecure stores it without a"
say "passphrase, for this demonstration only.)"
show "$CERTS" init --dir authority --name med-balkans-exchange --insecure

step "2. Principals of five agencies in two regions"
say "Each office makes its own keys (signing, payload wraps, transport) and sends"
say "only a signing request; the authority decides agency, country, regions, roles."
# subject agency country region role
while read -r subject agency country region role; do
	dir=${subject#*/}
	"$CERTS" keygen --subject "$subject" --dir "$dir" --insecure >/dev/null
	"$CERTS" issue --authority authority --request "$dir/request.req" --agency "$agency" \
		--country "$country" --region "$region" --role "$role" --days 90 \
		--out "$dir/cert.crt" >/dev/null
	printf '  %-24s %-8s %-16s %s\n' "$subject" "$country" "$region" "$role"
done <<'LIST'
IT-GDF/ventimiglia IT-GDF IT MED-CENTRAL liaison
MT-AFM/valletta MT-AFM MT MED-CENTRAL liaison
IT-PS/analysis IT-PS IT MED-CENTRAL analyst
HR-MUP/zagreb HR-MUP HR WESTERN-BALKANS liaison
RS-MUP/beograd RS-MUP RS WESTERN-BALKANS analyst
EU-AUDIT/auditor EU-AUDIT BE MED-CENTRAL auditor
LIST
show "$CERTS" verify --authority-key authority/authority.pub --crl authority/revocations.crl \
	ventimiglia/cert.crt valletta/cert.crt analysis/cert.crt zagreb/cert.crt beograd/cert.crt

step "3. A route alert, AMBER with H2, to the Maltese counterpart and an analyst"
say "The Guardia di Finanza liaison officer in Ventimiglia reports departures from"
say "Zuwara. TLP AMBER: the recipients' agencies on a need-to-know basis; H2: no"
say "onward dissemination without permission. Only Valletta and the analyst get a"
say "key wrap; the body is encrypted end to end."
show "$LIAISON" seal --keys ventimiglia --authority-key authority/authority.pub \
	--to valletta/cert.crt --to analysis/cert.crt \
	--kind route --tlp AMBER --handling H2 --evaluation B2 --region MED-CENTRAL \
	--title "Night departures from Zuwara towards Lampedusa" \
	--set mode=sea --set capacity=90 --set price_per_person=350000 --set price_currency=EUR \
	--set 'embarkation[0].name=Zuwara' --set 'embarkation[0].country=LY' \
	--set 'destination[0].name=Lampedusa' --set 'destination[0].country=IT' \
	--set frequency_per_week=3 --out route-alert.env

step "4. Valletta opens it: restrictions first, then the content"
show "$LIAISON" open --keys valletta --authority-key authority/authority.pub \
	--from ventimiglia/cert.crt --crl authority/revocations.crl route-alert.env

step "5. Zagreb was not a recipient: it can read nothing"
set +e
"$LIAISON" open --keys zagreb --authority-key authority/authority.pub \
	--from ventimiglia/cert.crt route-alert.env
rc=$?
set -e
say "  (exit status $rc: verification failed; nothing of the message was shown)"

step "6. A document alert, GREEN, to every region"
say "Zagreb reports stolen blank passports; GREEN may go to the whole community."
show "$LIAISON" seal --keys zagreb --authority-key authority/authority.pub \
	--to ventimiglia/cert.crt --to valletta/cert.crt --to analysis/cert.crt --to beograd/cert.crt \
	--kind document --tlp GREEN --evaluation A1 --region WESTERN-BALKANS --region MED-CENTRAL \
	--title "Stolen blank passports, serial range A4410000-A4410999" \
	--set type=passport --set issuing_state=HR --set serial_from=A4410000 \
	--set serial_to=A4410999 --set status=stolen-blank \
	--set 'detection_tips=laminate lifts at the data page corner' --out document-alert.env
show "$LIAISON" open --keys beograd --authority-key authority/authority.pub \
	--from zagreb/cert.crt --json document-alert.env

step "7. A tampered envelope is refused, naming the cause"
cp route-alert.env tampered.env
printf '\x00' | dd of=tampered.env bs=1 seek=60 conv=notrunc status=none
set +e
"$LIAISON" open --keys valletta --authority-key authority/authority.pub \
	--from ventimiglia/cert.crt tampered.env
set -e

step "8. A laptop is stolen: the authority revokes the key"
serial=$("$CERTS" inspect --json ventimiglia/cert.crt | sed 's/.*"serial":\([0-9]*\).*/\1/')
sleep 1
show "$CERTS" revoke --authority authority --serial "$serial" --reason "laptop stolen"
say "The alert signed before the revocation stays verifiable, and is flagged:"
"$LIAISON" open --keys valletta --authority-key authority/authority.pub \
	--from ventimiglia/cert.crt --crl authority/revocations.crl route-alert.env | grep -i "revoked" || true
sleep 1
"$LIAISON" seal --keys ventimiglia --authority-key authority/authority.pub --to valletta/cert.crt \
	--kind note --tlp AMBER --text "please forward to everyone" --out after-theft.env >/dev/null
say "A message signed with the stolen key after the revocation is refused:"
set +e
"$LIAISON" open --keys valletta --authority-key authority/authority.pub \
	--from ventimiglia/cert.crt --crl authority/revocations.crl after-theft.env
set -e

step "Done"
say "The exchange's files are in $X:"
say "  authority/   the authority key (offline in real life), its public key, the revocation list"
say "  <office>/    each office's keys (0600), request and certificate"
say "  *.env        the envelopes"
say "Try: $CERTS inspect $X/valletta/cert.crt"
say "The networked broker, feeds and the disclosure ledger join this demonstration as"
say "they land (see README.md)."

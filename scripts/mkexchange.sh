#!/bin/bash
# mkexchange.sh BUILD-DIR DIR [PORT] — lays out a complete exchange in DIR
# for the demonstration and the integration tests: an authority, a
# broker with its keys, certificate and configuration, principals of six
# agencies in two regions (liaison officers, analysts, an auditor), the
# example exchange policy, and a connection profile per principal.
# Keys are stored without passphrases (--insecure): demonstration only.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
X=$2
PORT=${3:-7400}
CERTS="$BUILD/certs/liaison-certs"
SRC=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$X"
X=$(cd "$X" && pwd)
cd "$X"
"$CERTS" init --dir authority --name med-balkan-exchange --insecure >/dev/null
mkdir -p certs data profiles
"$CERTS" keygen --subject EU-EXCH/broker --dir broker --insecure >/dev/null
"$CERTS" issue --authority authority --request broker/request.req --agency EU-EXCH --country BE \
	--broker --days 365 --out broker/cert.crt >/dev/null
# subject            agency   country region          roles
while read -r subject agency country region roles; do
	dir=${subject#*/}
	"$CERTS" keygen --subject "$subject" --dir "$dir" --insecure >/dev/null
	args=()
	for r in ${roles//,/ }; do args+=(--role "$r"); done
	"$CERTS" issue --authority authority --request "$dir/request.req" --agency "$agency" \
		--country "$country" --region "$region" "${args[@]}" --days 90 --out "$dir/cert.crt" >/dev/null
	cp "$dir/cert.crt" "certs/$dir.crt"
	cat >"profiles/$dir.yaml" <<PROFILE
broker: tcp://127.0.0.1:$PORT
broker_certificate: $X/broker/cert.crt
keys: $X/$dir
authority_key: $X/authority/authority.pub
PROFILE
done <<'LIST'
IT-GDF/ventimiglia IT-GDF IT MED-CENTRAL liaison
IT-PS/roma IT-PS IT MED-CENTRAL analyst,liaison
MT-AFM/valletta MT-AFM MT MED-CENTRAL liaison
GR-HCG/piraeus GR-HCG GR MED-EASTERN analyst
HR-MUP/zagreb HR-MUP HR WESTERN-BALKANS liaison
RS-MUP/beograd RS-MUP RS WESTERN-BALKANS analyst
DE-BPOL/auditor DE-BPOL DE WESTERN-BALKANS auditor
LIST
cp "$SRC/policy/examples/exchange.yaml" exchange.yaml
cat >broker.yaml <<CONFIG
# The broker of the demonstration exchange (docs/operations.md).
listen: tcp://127.0.0.1:$PORT
keys: broker
authority_key: authority/authority.pub
certificates: certs
revocation_list: authority/revocations.crl
policy: exchange.yaml
data: data
checkpoint_seconds: 2
CONFIG

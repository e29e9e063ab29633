#!/bin/bash
# attack_trust.sh BUILD SRC FORGE — attacks on what the broker trusts
# (issue 10), against the real broker and agents on loopback:
#   13  a second broker on the same data directory: refused, the first
#       keeps serving;
#    5  a restart with an older, validly signed revocation list (or
#       another list of the same number): the broker does not start; a
#       revocation made while it was down is recorded at start;
#    9  two subjects certified with one transport key: refused on reload
#       (the directory in force is kept) and at start.
# FORGE (forge.c) signs with the authority's key what liaison-certs
# may refuse to issue.
set -u
BUILD=$1 SRC=$2 FORGE=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
CRL="$X/authority/revocations.crl"
stop_broker() { kill -TERM "$BPID"; wait "$BPID" 2>/dev/null; BPID=; }
serial_of() { # serial_of CERT: its serial, whether JSON prints it as a number or a string
	"$CERTS" inspect --json "$1" | sed -n 's/.*"serial":"\{0,1\}\([0-9][0-9]*\).*/\1/p' | head -1
}
refused_start() { # refused_start TEXT...: the broker exits 1 at start, its error holding each TEXT
	run 1 timeout 10 "$BROKER" --config "$X/broker.yaml"
	for text in "$@"; do expect_in "$T/err" "$text"; done
}

# --- 13: two brokers on one data directory ---
sed "s#127.0.0.1:$PORT#127.0.0.1:$((PORT + 1))#" "$X/broker.yaml" >"$X/broker2.yaml"
run 1 timeout 10 "$BROKER" --config "$X/broker2.yaml"
expect_in "$T/err" "data directory \".*data\" is in use by another broker (pid $BPID)"
run 1 timeout 10 "$BROKER" --config "$X/broker2.yaml" --check # --check writes too
expect_in "$T/err" "is in use by another broker"
[ "$(stat -c %a "$X/data/liaison.lock")" = 600 ] && ok || bad "the lock file is not 0600"
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
	--title "one store, one broker" --set vessel.name=ONE --json
expect_in "$T/out" '"accepted":true'
kill -0 "$BPID" 2>/dev/null && ok || bad "the first broker died"

# --- 5: revocation rollback across a restart ---
cp "$CRL" "$T/crl1"
zs=$(serial_of "$X/zagreb/cert.crt")
run 0 "$CERTS" revoke --authority "$X/authority" --serial "$zs" --reason "key lost"
hup
expect_in "$X/broker.log" "certificate-revoked serial=$zs"
run 4 "$L" directory --profile zagreb
cp "$CRL" "$T/crl2"
stop_broker
cp "$T/crl1" "$CRL" # the older list, validly signed
refused_start "revocation list number 1 is older than the 2 in force" "cannot load certificates"
"$FORGE" crl "$X/authority" "$T/crl2" "$T/crl2b" || bad "forge crl"
cp "$T/crl2b" "$CRL" # a second list numbered 2
refused_start "revocation list number 2 differs from the list of that number in force"
cp "$T/crl2" "$CRL"
start_broker || exit 1
run 4 "$L" directory --profile zagreb
expect_in "$T/err" "refused authentication"
run 0 "$L" directory --profile roma
# A revocation made while the broker was down is recorded at its start.
stop_broker
vs=$(serial_of "$X/valletta/cert.crt")
run 0 "$CERTS" revoke --authority "$X/authority" --serial "$vs" --reason "left the service"
start_broker || exit 1
expect_in "$X/broker.log" "certificate-revoked serial=$vs reason=\"left the service\" first_seen=start"
"$AUDIT" query --ledger "$X/data/liaison.db" --op certificate-revoked --json --quiet >"$T/revoked.json"
expect_in "$T/revoked.json" "$vs"
[ "$(grep -c "$zs" "$T/revoked.json")" -eq 1 ] && ok ||
	{ bad "zagreb's revocation is not recorded exactly once"; cat "$T/revoked.json"; }
run 4 "$L" directory --profile valletta

# --- 9: one key, two subjects ---
rs=$(serial_of "$X/roma/cert.crt")
is=$("$FORGE" cert "$X/authority" "$X/roma/cert.crt" IT-PS/impostor "$T/impostor.crt") || bad "forge cert"
cp "$T/impostor.crt" "$X/certs/impostor.crt"
hup
grep "reload-refused" "$X/broker.log" | grep "one key in two certificates" | grep "$rs" | grep -q "$is" && ok ||
	{ bad "the reload with one key under two subjects was not refused naming both serials"; tail -5 "$X/broker.log"; }
run 0 "$L" directory --profile roma --json # the directory in force is kept
expect_in "$T/out" "IT-PS/roma"
grep -q "IT-PS/impostor" "$T/out" && bad "the impostor's certificate was loaded" || ok
stop_broker
refused_start "one key in two certificates" "IT-PS/roma" "IT-PS/impostor" "$rs" "$is"
rm "$X/certs/impostor.crt"
start_broker || exit 1
run 0 "$L" directory --profile roma

stop_broker
lia_done attack_trust

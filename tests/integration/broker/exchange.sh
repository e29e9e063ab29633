#!/bin/bash
# exchange.sh BUILD SRC RAWCLIENT — the broker and agents as real
# processes on loopback with real CurveZMQ (issue #5's list):
#   publish -> feed delivery -> ack -> ledger; withheld recipients get
#   nothing and the ledger says why; ZAP refuses unknown, expired and
#   revoked transport keys; an envelope sent over another principal's
#   connection is refused; a replayed id is delivered once; an offline
#   subscriber catches up in order; malformed, truncated and oversized
#   frames are refused while others are served; SIGHUP with a broken
#   policy keeps serving; kill -9 during a burst loses no acknowledged
#   message and every delivery has its ledger record.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange

# --- feeds, delivery, acknowledgement, ledger ---
run 0 "$L" subscribe med --profile roma --kind route --kind carrier --region MED-CENTRAL
run 0 "$L" subscribe everything --profile piraeus
run 0 "$L" subscribe balkans --profile beograd --region WESTERN-BALKANS
run 0 "$L" feeds --profile roma --json
expect_in "$T/out" '"name":"med"'
run 4 "$L" subscribe nope --profile auditor   # auditors receive no content
run 0 "$L" publish --profile ventimiglia --kind route --tlp AMBER --handling H2 \
	--release-region MED-CENTRAL --region MED-CENTRAL --evaluation B2 \
	--title "Night departures from Zuwara" --set mode=sea --set capacity=90 \
	--to MT-AFM/valletta --json
expect_in "$T/out" '"accepted":true'
expect_in "$T/out" '"disclosed":2'
ID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
run 0 "$L" listen --profile roma --count 1 --timeout 10 --json
expect_in "$T/out" "\"id\":\"$ID\""
expect_in "$T/out" '"title":"Night departures from Zuwara"'
run 0 "$L" listen --profile valletta --count 1 --timeout 10
expect_in "$T/out" "$ID"
# Piraeus's feed matched but the marking excludes it: it gets nothing.
run 0 "$L" listen --profile piraeus --timeout 2 --json
[ -s "$T/out" ] && bad "piraeus received something: $(cat "$T/out")" || ok
run 0 "$L" inbox --profile piraeus --json
[ -s "$T/out" ] && bad "piraeus's inbox shows a withheld message" || ok
run 1 "$L" read "$ID" --profile piraeus
expect_in "$T/err" "no message with that id was delivered to you"
run 0 "$L" disclosures "$ID" --profile ventimiglia --json
expect_in "$T/out" '"recipient":"GR-HCG/piraeus","disclosed":false,"rule":"release.regions"'
expect_in "$T/out" '"recipient":"IT-PS/roma","disclosed":true'
expect_in "$T/out" '"acknowledged":true'
run 1 "$L" disclosures "$ID" --profile roma       # not the originator
run 0 "$L" disclosures "$ID" --profile auditor    # auditors may ask
run 0 "$L" read "$ID" --profile valletta
expect_in "$T/out" "TLP:AMBER"

# --- a policy refusal names the rule ---
run 4 "$L" publish --profile ventimiglia --kind route --tlp AMBER --title x --set mode=sea
expect_in "$T/err" "rule tlp.amber.addressed"

# --- replay: the same envelope twice is delivered once ---
run 0 "$L" seal --keys "$X/ventimiglia" --authority-key "$X/authority/authority.pub" \
	--to "$X/valletta/cert.crt" --kind carrier --tlp RED --release-principal MT-AFM/valletta \
	--title "AL AMAL" --set vessel.name="AL AMAL" --out "$T/replay.env"
run 0 "$L" publish --profile ventimiglia --envelope "$T/replay.env" --to MT-AFM/valletta --json
expect_in "$T/out" '"duplicate":false'
SEQ1=$(sed 's/.*"sequence":\([0-9]*\).*/\1/' "$T/out")
run 0 "$L" publish --profile ventimiglia --envelope "$T/replay.env" --to MT-AFM/valletta --json
expect_in "$T/out" '"duplicate":true'
expect_in "$T/out" "\"sequence\":$SEQ1"
run 0 "$L" listen --profile valletta --timeout 3 --json
[ "$(grep -c AL\ AMAL "$T/out")" = 1 ] && ok || bad "replayed message delivered $(grep -c 'AL AMAL' "$T/out") times"
# The same valid envelope over another principal's connection: refused.
run 4 "$L" publish --profile valletta --envelope "$T/replay.env" --to MT-AFM/valletta
expect_in "$T/err" "signed by another principal"

# --- offline subscriber catches up in order ---
for i in $(seq 1 12); do
	"$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
		--title "sighting $i" --set vessel.name="V$i" >/dev/null || bad "publish $i"
done
run 0 "$L" listen --profile roma --count 12 --timeout 10 --json
n=$(grep -c '"event":"message"' "$T/out")
[ "$n" = 12 ] && ok || bad "roma caught up $n of 12"
seqs=$(sed 's/.*"sequence":\([0-9]*\).*/\1/' "$T/out" | tr '\n' ' ')
titles=$(grep -o 'sighting [0-9]*' "$T/out" | sed 's/sighting //' | tr '\n' ' ')
[ "$titles" = "1 2 3 4 5 6 7 8 9 10 11 12 " ] && ok || bad "out of order: $titles (deliveries $seqs)"

# --- dedup by id at the agent survives a restart of the agent: acks lost
# (simulated in the store) mean redelivery, shown nowhere a second time ---
[ "$(stat -c %s "$X/roma/shown")" -ge $((17 * 2 * 12)) ] && ok || bad "roma/shown does not record the ids shown (17 bytes, twice each)"
sqlite3 -cmd ".timeout 5000" "$X/data/liaison.db" "UPDATE deliveries SET acked_at = 0 WHERE recipient = 'IT-PS/roma'" ||
	bad "could not simulate lost acknowledgements"
run 0 "$L" listen --profile roma --timeout 3 --json
[ -s "$T/out" ] && bad "redelivered messages were shown again: $(head -c 300 "$T/out")" || ok
[ "$(sqlite3 -cmd ".timeout 5000" "$X/data/liaison.db" "SELECT count(*) FROM deliveries WHERE recipient = 'IT-PS/roma' AND acked_at = 0")" = 0 ] \
	&& ok || bad "redelivered messages were not acknowledged"

# --- authentication: unknown, expired and revoked keys are refused ---
"$CERTS" keygen --subject IT-GDF/stranger --dir "$X/stranger" --insecure >/dev/null
"$CERTS" issue --authority "$X/authority" --request "$X/stranger/request.req" --agency IT-GDF \
	--country IT --role liaison --out "$X/stranger/cert.crt" >/dev/null
sed "s#$X/ventimiglia#$X/stranger#" "$X/profiles/ventimiglia.yaml" >"$X/profiles/stranger.yaml"
run 4 "$L" directory --profile stranger
expect_in "$T/err" "refused authentication"
lia_expired_principal
run 4 "$L" directory --profile old
expect_in "$T/err" "refused authentication"
# A key hammering the door is refused every time, but recorded once an
# interval: the ledger does not grow with an attacker's handshakes.
for _ in $(seq 15); do "$L" directory --profile old >/dev/null 2>&1 && bad "the expired key got in"; done
run 4 "$L" directory --profile old
"$AUDIT" query --ledger "$X/data/liaison.db" --op authentication-refused --json --quiet >"$T/refused.json"
[ "$(grep -c 'IT-GDF/old' "$T/refused.json")" -eq 1 ] && ok ||
	{ bad "expected one refusal record for the expired key"; cat "$T/refused.json"; }
run 0 "$L" directory --profile zagreb
cp "$X/authority/revocations.crl" "$T/old.crl"
serial=$("$CERTS" inspect --json "$X/zagreb/cert.crt" | sed 's/.*"serial":"\([0-9]*\)".*/\1/')
run 0 "$CERTS" revoke --authority "$X/authority" --serial "$serial" --reason "test"
hup
run 4 "$L" directory --profile zagreb
expect_in "$X/broker.log" "certificate-revoked serial=$serial"
# Revocations never roll back: the broker refuses an older list on reload,
# and an agent refuses a directory with an older list than it has seen.
cp "$X/authority/revocations.crl" "$T/new.crl"
cp "$T/old.crl" "$X/authority/revocations.crl"
hup
expect_in "$X/broker.log" "is older than the"
run 4 "$L" directory --profile zagreb
cp "$T/new.crl" "$X/authority/revocations.crl"
run 0 "$L" directory --profile roma
printf '999\n' >"$X/roma/crl-number"
run 1 "$L" directory --profile roma
expect_in "$T/err" "older than number 999"
rm "$X/roma/crl-number"
expect_in "$X/broker.log" "auth-refused"
# The refusals not recorded one by one are counted in a summary at the
# interval's end: attack_strangers.sh (issue 11, item 3) checks those.

# --- unreachable broker: exit 5 ---
sed "s#127.0.0.1:$PORT#127.0.0.1:$((PORT + 1))#" "$X/profiles/roma.yaml" >"$X/profiles/nowhere.yaml"
run 5 timeout 30 "$L" directory --profile nowhere
expect_in "$T/err" "unreachable"

# --- malformed frames from an authenticated agent; others still served ---
run 0 "$RAW" "$X/profiles/beograd.yaml"
expect_in "$T/out" "ping-after answered"
run 0 "$L" directory --profile roma
kill -0 "$BPID" 2>/dev/null && ok || bad "the broker died on bad frames"

# --- SIGHUP with a broken policy keeps serving ---
cp "$X/exchange.yaml" "$T/good-policy.yaml"
printf 'version: 1\nexchange: BROKEN\nunknown_key: 1\n' >"$X/exchange.yaml"
hup
expect_in "$X/broker.log" "reload-refused"
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
	--title "after a broken reload" --set vessel.name=X
cp "$T/good-policy.yaml" "$X/exchange.yaml"

# --- the policy's rate limits: publications, and consent requests ---
sed 's/publish_per_hour: 600/publish_per_hour: 3/; s/onward_requests_per_day: 100/onward_requests_per_day: 1/' \
	"$T/good-policy.yaml" >"$X/exchange.yaml"
hup
for i in 1 2 3; do
	run 0 "$L" publish --profile valletta --kind carrier --tlp GREEN --region MED-CENTRAL --title "r$i" \
		--set vessel.name=R --to GR-HCG/piraeus --json
done
RID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
run 4 "$L" publish --profile valletta --kind carrier --tlp GREEN --region MED-CENTRAL --title r4 --set vessel.name=R
expect_in "$T/err" "publication limit\|rate limit"
run 0 "$L" consent ask "$RID" --to RS-MUP/beograd --purpose "one a day" --profile piraeus
run 4 "$L" consent ask "$RID" --to HR-MUP --purpose "two a day" --profile piraeus
expect_in "$T/err" "rate limit onward_requests_per_day=1 reached; retry after "
cp "$T/good-policy.yaml" "$X/exchange.yaml"
hup

# --- onward dissemination: consent asked, refused and granted; all in the ledger ---
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp AMBER --handling H2 \
	--release-region MED-CENTRAL --region MED-CENTRAL --title "AL AMAL leaves Zuwara" \
	--set vessel.name="AL AMAL" --to IT-PS/roma --json
CID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
run 0 "$L" read "$CID" --profile roma
# Only a recipient may ask: to anyone else the message does not exist.
run 1 "$L" consent ask "$CID" --to RS-MUP/beograd --purpose "joint patrol" --profile piraeus
expect_in "$T/err" "no message with that id was delivered to you"
run 2 "$L" consent ask "$CID" --to "not a name" --purpose "x" --profile roma
run 2 "$L" consent ask "$CID" --to RS-MUP/beograd --profile roma
run 1 "$L" consent ask "$CID" --to XX-NONE --purpose "x" --profile roma
expect_in "$T/err" "no principal in the directory and no agency"
run 1 "$L" consent ask "$CID" --to IT-GDF --purpose "x" --profile roma
expect_in "$T/err" "originator's own agency"
# The originator, listening, is told of the request as it arrives.
listen_bg ventimiglia IT-GDF/ventimiglia "$T/vlisten.out" 3
run 0 "$L" consent ask "$CID" --to RS-MUP/beograd --purpose "joint patrol with the Serbian border police" \
	--profile roma --json
expect_in "$T/out" '"state":"pending"'
REQ=$(sed 's/.*"request":\([0-9]*\),.*/\1/' "$T/out")
wait "$LPID"
LPID=
expect_in "$T/vlisten.out" "\"event\":\"consent\",\"request\":$REQ,\"state\":\"pending\""
run 0 "$L" consent ask "$CID" --to RS-MUP/beograd --purpose "asked twice" --profile roma --json
expect_in "$T/out" "\"request\":$REQ,"
expect_in "$T/out" '"purpose":"joint patrol with the Serbian border police"'
run 1 "$L" read "$CID" --profile beograd
# The requester never answers its own request: the agent says so, and
# the broker refuses it too.
run 4 "$L" consent grant "$REQ" --profile roma
run 0 "$RAW" "$X/profiles/roma.yaml" consent "$REQ"
expect_in "$T/out" "garbage-consent: forbidden"
# Forged, mismatched, stale and foreign grants from the originator: refused.
run 0 "$RAW" "$X/profiles/ventimiglia.yaml" consent "$REQ"
expect_in "$T/out" "garbage-consent: invalid request"
expect_in "$T/out" "other-grantee: invalid request: the signed consent does not match request $REQ: grantee"
expect_in "$T/out" "stale: invalid request: the signed consent does not match request $REQ: time"
expect_in "$T/out" "foreign-envelope: invalid request: envelope"
# The originator sees the request and grants it; beograd receives the message.
run 0 "$L" consent list --profile ventimiglia --json
expect_in "$T/out" "\"request\":$REQ,.*\"requested_by\":\"IT-PS/roma\".*\"state\":\"pending\""
# The requester, listening, is told of the answer.
listen_bg roma IT-PS/roma "$T/rlisten.out" 4
run 0 "$L" consent grant "$REQ" --profile ventimiglia --json
expect_in "$T/out" '"state":"granted"'
expect_in "$T/out" '"disclosed":1'
wait "$LPID"
LPID=
expect_in "$T/rlisten.out" "\"event\":\"consent\",\"request\":$REQ,\"state\":\"granted\""
run 0 "$L" listen --profile beograd --count 1 --timeout 10 --json
expect_in "$T/out" "\"id\":\"$CID\""
expect_in "$T/out" '"via":"consent"'
expect_in "$T/out" '"title":"AL AMAL leaves Zuwara"'
run 0 "$L" read "$CID" --profile beograd
run 1 "$L" consent grant "$REQ" --profile ventimiglia
expect_in "$T/err" "was granted already"
# The requester sees the answer and checks the originator's signature,
# but not who else holds the message; the ledger holds the consent's hash.
run 0 "$L" consent list "$REQ" --profile roma --json
expect_in "$T/out" '"state":"granted"'
expect_in "$T/out" '"consent_signature":"verified"'
grep -q '"disclosed"' "$T/out" && bad "the requester was shown how many received the message" || ok
CSHA=$(sed 's/.*"consent_sha256":"\([0-9a-f]*\)".*/\1/' "$T/out")
"$AUDIT" query --ledger "$X/data/liaison.db" --message "$CID" --op consent-granted --json --quiet >"$T/granted.json"
expect_in "$T/granted.json" "consent sha256:$CSHA"
run 0 "$L" consent list --profile auditor --json
expect_in "$T/out" "\"request\":$REQ,"
# Granting is a liaison officer's act: an analyst who originated a note
# cannot consent to passing it on.
run 0 "$L" publish --profile piraeus --kind note --tlp AMBER --release-agency IT-PS --handling H2 \
	--text "Aegean crossings resume at night" --to IT-PS/roma --json
NID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
run 0 "$L" consent ask "$NID" --to RS-MUP/beograd --purpose "route analysis" --profile roma --json
NREQ=$(sed 's/.*"request":\([0-9]*\),.*/\1/' "$T/out")
run 4 "$L" consent grant "$NREQ" --profile piraeus
expect_in "$T/err" "only a liaison officer"
# A refusal: the requester sees the reason, the grantee nothing.
run 0 "$L" consent ask "$CID" --to GR-HCG --purpose "Aegean follow-up" --profile roma --json
REQ2=$(sed 's/.*"request":\([0-9]*\),.*/\1/' "$T/out")
run 2 "$L" consent refuse "$REQ2" --profile ventimiglia
run 0 "$L" consent refuse "$REQ2" --reason "source protection" --profile ventimiglia
run 0 "$L" consent list "$REQ2" --profile roma --json
expect_in "$T/out" '"state":"refused"'
expect_in "$T/out" '"reason":"source protection"'
run 1 "$L" consent list "$REQ2" --profile beograd
run 0 "$L" consent list --before "$REQ2" --profile roma --json   # the next page
expect_in "$T/out" "\"request\":$REQ,"
grep -q "\"request\":$REQ2," "$T/out" && bad "--before showed the request it starts below" || ok
run 0 "$L" inbox --profile piraeus --json
grep -q "$CID" "$T/out" && bad "piraeus's inbox shows the message after a refusal" || ok
run 1 "$L" read "$CID" --profile piraeus
run 0 "$L" disclosures "$CID" --profile ventimiglia
expect_in "$T/out" "RS-MUP/beograd .*RECEIVED.*consent.principal"
expect_in "$T/out" "RS-MUP/beograd .*via consent $REQ: IT-GDF/ventimiglia granted consent"
"$AUDIT" query --ledger "$X/data/liaison.db" --message "$CID" --json --quiet >"$T/consent.json"
[ "$(grep -c '"operation":"consent-requested"' "$T/consent.json")" -eq 2 ] && ok ||
	{ bad "expected 2 consent-requested records"; cat "$T/consent.json"; }
expect_in "$T/consent.json" '"operation":"consent-granted"'
expect_in "$T/consent.json" '"operation":"consent-refused"'
grep '"operation":"disclose"' "$T/consent.json" | grep -q 'RS-MUP/beograd.*consent.principal' && ok ||
	{ bad "no disclose record for beograd by consent"; cat "$T/consent.json"; }

run 0 "$L" publish --profile valletta --kind carrier --tlp GREEN --region MED-CENTRAL --title r5 --set vessel.name=R


# --- embargo: decided and recorded at once, delivered only when it ends ---
# 7-8 s ahead: the early checks below take ~2.5 s, so a stall of several
# seconds would be needed to see it end before they are done.
emb=$(date -u -d "@$(( $(date +%s) + 8 ))" +%Y-%m-%dT%H:%M:%SZ)
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
	--title "embargoed" --set vessel.name=E --embargo-until "$emb" --json
MID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
expect_in "$T/out" '"accepted":true'
run 0 "$L" listen --profile roma --timeout 2 --json
grep -q embargoed "$T/out" && bad "an embargoed message was delivered early" || ok
run 1 "$L" read "$MID" --profile roma
run 0 "$L" disclosures "$MID" --profile ventimiglia
expect_in "$T/out" "embargoed until $emb"
run 0 "$L" listen --profile roma --count 1 --timeout 15 --json
expect_in "$T/out" '"title":"embargoed"'

# --- expiry: delivered, then erased everywhere; the ledger keeps the metadata ---
# Roma listens throughout; Valletta (addressed) takes its copy and goes
# offline before the expiry, so its erase notice waits for it.
"$L" listen --profile roma --timeout 9 --json >"$T/expiry.out" 2>"$T/expiry.err" &
LPID=$!
sleep 0.5
exp=$(date -u -d "@$(( $(date +%s) + 5 ))" +%Y-%m-%dT%H:%M:%SZ)
run 0 "$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
	--title "short-lived" --set vessel.name=S --expires-at "$exp" --to MT-AFM/valletta --json
EID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
run 0 "$L" listen --profile valletta --count 1 --timeout 5 --json
expect_in "$T/out" '"title":"short-lived"'
# A request the originator leaves unanswered is closed by the expiry.
run 0 "$L" consent ask "$EID" --to RS-MUP/beograd --purpose "follow the boat" --profile valletta --json
EREQ=$(sed 's/.*"request":\([0-9]*\),.*/\1/' "$T/out")
wait "$LPID"
LPID=
expect_in "$T/expiry.out" '"title":"short-lived"'
expect_in "$T/expiry.out" "\"event\":\"erase\",\"id\":\"$EID\""
run 0 "$L" listen --profile valletta --timeout 2 --json
expect_in "$T/out" "\"event\":\"erase\",\"id\":\"$EID\""
run 0 "$L" consent list "$EREQ" --profile valletta --json
expect_in "$T/out" '"state":"refused","requested_at":"[^"]*","answered_at":"[^"]*","reason":"the message expired before an answer"'
"$AUDIT" query --ledger "$X/data/liaison.db" --message "$EID" --op consent-refused --json --quiet >"$T/closed.json"
expect_in "$T/closed.json" "request $EREQ by MT-AFM/valletta: the message expired before an answer"
# Confirmed once, never repeated; the ledger holds both confirmations.
run 0 "$L" listen --profile valletta --timeout 2 --json
grep -q '"event":"erase"' "$T/out" && bad "an erase notice came again after its confirmation" || ok
"$AUDIT" query --ledger "$X/data/liaison.db" --message "$EID" --op acknowledge --json --quiet >"$T/purged.json"
[ "$(grep -c 'every copy purged' "$T/purged.json")" -eq 2 ] && ok ||
	{ bad "expected 2 purge confirmations in the ledger"; cat "$T/purged.json"; }
run 1 "$L" read "$EID" --profile roma
expect_in "$T/err" "expired"
run 0 "$L" inbox --profile roma --json
expect_in "$T/out" '"erased":true'
[ -z "$(sqlite3 -cmd ".timeout 5000" "$X/data/liaison.db" "SELECT 1 FROM messages WHERE lower(hex(id)) = '$EID' AND envelope IS NOT NULL")" ] && ok || bad "expired ciphertext still stored"
expect_in "$X/broker.log" "erase id=$EID"

# --- kill -9 during a burst, restart: nothing acknowledged is lost ---
: >"$T/acked"
( for i in $(seq 1 200); do
	"$L" publish --profile ventimiglia --kind carrier --tlp GREEN --region MED-CENTRAL \
		--title "burst $i" --set vessel.name="B$i" --timeout-ms 3000 --json 2>/dev/null |
		grep '"accepted":true' | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' >>"$T/acked"
done ) &
BURST=$!
sleep 0.8
kill -9 "$BPID"
wait "$BPID" 2>/dev/null # gone, its port free, before the restart
BPID=
before=$(wc -l <"$T/acked")
start_broker || exit 1
wait "$BURST"
BURST=
nacked=$(wc -l <"$T/acked")
echo "burst: $before of 200 acknowledged before kill -9, $nacked in all"
[ "$before" -ge 1 ] && [ "$before" -lt 200 ] && ok || bad "the kill did not land inside the burst ($before acknowledged before it)"
[ "$nacked" -ge 1 ] && ok || bad "no publish was acknowledged before the kill"
run 0 "$L" listen --profile roma --timeout 5 --json
missing=0
while read -r id; do grep -q "\"id\":\"$id\"" "$T/out" || missing=$((missing + 1)); done <"$T/acked"
[ "$missing" = 0 ] && ok || bad "$missing of $nacked acknowledged messages never reached roma"
# Every delivery has its disclose record: compare the store with the ledger.
sqlite3 -cmd ".timeout 5000" "$X/data/liaison.db" "SELECT lower(hex(m.id)) || ' ' || d.recipient FROM deliveries d JOIN messages m ON m.seq = d.message_seq" | sort >"$T/deliveries"
"$AUDIT" query --ledger "$X/data/liaison.db" --op disclose --json --quiet >"$T/disclosed.json"
python3 - "$T/disclosed.json" >"$T/records" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["message_id"], r["recipient"]["subject"] if isinstance(r.get("recipient"), dict) else r.get("recipient"))
PY
sort -o "$T/records" "$T/records"
if [ -s "$T/deliveries" ] && comm -23 "$T/deliveries" "$T/records" | grep -q .; then
	bad "deliveries without a disclose record:"; comm -23 "$T/deliveries" "$T/records" | head
else ok; fi

# --- the auditor verifies the whole ledger, offline, with the broker's key ---
kill -TERM "$BPID"; wait "$BPID" 2>/dev/null; BPID=
expect_in "$X/broker.log" "stopped clean"
run 0 "$AUDIT" verify --ledger "$X/data/liaison.db" --cert "$X/broker/cert.crt" \
	--authority "$X/authority/authority.pub" --quiet

lia_done exchange

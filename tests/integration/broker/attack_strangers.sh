#!/bin/bash
# attack_strangers.sh BUILD SRC RAWCLIENT — issue 11, item 3: strangers
# knocking with a fresh random key each time must not grow the ledger
# with their attempts. Refused handshakes of keys no certificate names
# are counted and written as at most one authentication-refused record
# an interval (refusal_record_seconds, 2 here), with the count and a
# bounded sample of key ids and addresses; a known but refused key
# (expired certificate) still gets one record of its own an interval.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
kill -TERM "$BPID"; wait "$BPID" 2>/dev/null; BPID=
printf 'refusal_record_seconds: 2\n' >>"$X/broker.yaml"
start_broker || exit 1
refused() { # the authentication-refused records, one JSON object a line
	"$AUDIT" query --ledger "$X/data/liaison.db" --op authentication-refused --json --quiet
}

# Five seconds of strangers at full speed, then three quiet seconds so
# that the last interval ends while the broker runs.
run 0 "$RAW" "$X/profiles/roma.yaml" strangers 5
tries=$(sed -n 's/^strangers \([0-9]*\)$/\1/p' "$T/out")
echo "strangers: $tries connections with fresh keys"
[ "${tries:-0}" -ge 200 ] && ok || bad "the flood opened only ${tries:-0} connections"
sleep 3
refused >"$T/r1.json"
n=$(grep -c . "$T/r1.json")
echo "authentication-refused records after 8 s: $n"
# 5 s of flood in 2 s intervals: at most 4 summaries (3 + a partial one).
[ "$n" -ge 1 ] && [ "$n" -le 4 ] && ok || { bad "$n refusal records for one flood of $tries strangers, expected 1..4"; head -5 "$T/r1.json"; }
# The records count what they stand for: together, nearly every attempt.
total=$(python3 - "$T/r1.json" <<'PY'
import json, re, sys
t = 0
for line in open(sys.argv[1]):
    m = re.match(r"(\d+) refused handshakes", json.loads(line).get("justification", ""))
    t += int(m.group(1)) if m else 0
print(t)
PY
)
echo "refused handshakes counted in the records: $total"
[ "${total:-0}" -ge $((tries / 2)) ] && ok || bad "the records count $total refusals of $tries attempts"
expect_in "$T/r1.json" "sample keys: [0-9a-f]"
expect_in "$T/r1.json" "addresses: 127.0.0.1"
# The sample is bounded: no record names more than 6 keys.
python3 - "$T/r1.json" <<'PY' && ok || bad "a record's sample is not bounded"
import json, re, sys
for line in open(sys.argv[1]):
    j = json.loads(line)["justification"]
    keys = re.search(r"sample keys: ([0-9a-f ]*)", j)
    assert keys and len(keys.group(1).split()) <= 6, j
    assert len(j) < 512, j
PY
expect_in "$X/broker.log" "auth-refused-summary count="
lines=$(count "auth-refused-summary")
[ "$lines" -le 4 ] && ok || bad "$lines summary log lines for one flood"

# A key the directory knows (an expired certificate) is recorded by its
# subject, once an interval, however often it knocks.
lia_expired_principal
for _ in $(seq 10); do "$L" directory --profile old >/dev/null 2>&1 && bad "the expired key got in"; done
refused >"$T/r2.json"
[ "$(grep -c 'IT-GDF/old' "$T/r2.json")" -eq 1 ] && ok || { bad "expected one record for the expired key"; grep 'IT-GDF/old' "$T/r2.json"; }

# Strangers refused just before a stop are not lost: the stop writes them.
before=$(refused | grep -c .)
run 0 "$RAW" "$X/profiles/roma.yaml" strangers 1
kill -TERM "$BPID"; wait "$BPID" 2>/dev/null; BPID=
expect_in "$X/broker.log" "stopped clean"
after=$(refused | grep -c .)
[ "$after" -gt "$before" ] && ok || bad "the refusals of the last interval were lost at the stop ($before -> $after records)"
run 0 "$AUDIT" verify --ledger "$X/data/liaison.db" --cert "$X/broker/cert.crt" \
	--authority "$X/authority/authority.pub" --quiet

lia_done attack_strangers

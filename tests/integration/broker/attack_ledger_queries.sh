#!/bin/bash
# attack_ledger_queries.sh BUILD SRC RAWCLIENT — issue 11, item 2: the
# ledger grown by queries. Every audit query appends a permanent ledger
# record; a principal that sends thousands a second grows the ledger
# without bound. Per-principal rate limits of the exchange policy (here
# the default audit_queries_per_hour, 600, which the example policy does
# not set) must refuse the excess with LIMIT naming the limit and
# append nothing for it, yet leave the refusals recorded (one summary
# record per principal per window, written when the window closes, on
# reload or at stop); identical queries repeated within 60 s are answered
# and recorded once with a count; a flood of consent requests is limited
# the same way (rate_limits.onward_requests_per_day).
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
DB="$X/data/liaison.db"
A=ventimiglia C=roma
pub() { # pub PROFILE TITLE TO: a GREEN carrier sighting to one principal; prints its id
	"$L" publish --profile "$1" --kind carrier --tlp GREEN --region MED-CENTRAL \
		--title "$2" --set vessel.name="$2" --to "$3" --json | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/'
}
records() { # audit-query records in the ledger, as JSON lines
	"$AUDIT" query --ledger "$DB" --op audit-query --json --quiet >"$T/q.json" 2>"$T/q.err" ||
		bad "ledger query: $(cat "$T/q.err")"
	grep -o '"operation":"audit-query"' "$T/q.json" | wc -l
}
ID1=$(pub $A "flood one" IT-PS/roma)
ID2=$(pub $A "flood two" IT-PS/roma)
IDC=$(pub $C "from roma" IT-GDF/ventimiglia)
[ ${#ID1} = 32 ] && [ ${#ID2} = 32 ] && [ ${#IDC} = 32 ] && ok || bad "publish: $ID1 $ID2 $IDC"
before=$(records)

# 2,000 queries, pipelined, no two in a row identical.
N=2000
run 0 timeout 60 "$RAW" "$X/profiles/$A.yaml" query-flood $N "$ID1" "$ID2"
cat "$T/out"
answers=$(sed -n 's/^answers=\([0-9]*\) .*/\1/p' "$T/out")
limited=$(sed -n 's/.* limit=\([0-9]*\) .*/\1/p' "$T/out")
[ "${answers:-$N}" -le 600 ] && ok || bad "$answers of $N queries answered: no limit on audit queries"
[ "${limited:-0}" -ge $((N - 600)) ] && ok || bad "${limited:-0} of $N queries refused by a limit"
expect_in "$T/out" "limit-detail: rate limit audit_queries_per_hour=600 reached; retry after "
after=$(records)
grew=$((after - before))
[ "$grew" -le 605 ] && ok || bad "the ledger grew by $grew audit-query records for $N queries"
[ "$(count "rate-limited by=IT-GDF/$A limit=audit_queries_per_hour")" = 1 ] && ok ||
	bad "$(count "rate-limited by=IT-GDF/$A") rate-limited log lines for $A, expected 1 per window"

# 300 identical queries: all answered, one record now, the count later.
run 0 timeout 60 "$RAW" "$X/profiles/$C.yaml" query-flood 300 "$IDC"
expect_in "$T/out" "answers=300 limit=0 other=0"
[ $(($(records) - after)) -le 1 ] && ok || bad "300 identical queries appended $(($(records) - after)) records"

# The reload closes the windows: the refusals and the repeats are now
# recorded, each once. The policy now allows two consent requests a day.
sed -i 's/onward_requests_per_day: 100/onward_requests_per_day: 2/' "$X/exchange.yaml"
hup
records >/dev/null
grep '"justification":"[0-9]* requests refused by rate limit audit_queries_per_hour=600' "$T/q.json" |
	grep -q "IT-GDF/$A" && ok || bad "no ledger record of $A's refused queries"
grep -q '"justification":"repeated 299 times within 60 s: originator asked who received the message' \
	"$T/q.json" && ok || bad "no ledger record counts roma's 299 repeats: $(tail -c 600 "$T/q.json")"

# Consent requests: the third of the day is refused, naming the limit.
run 0 "$L" consent ask "$ID1" --to GR-HCG --purpose "flood 1" --profile $C
run 0 "$L" consent ask "$ID1" --to HR-MUP --purpose "flood 2" --profile $C
"$L" consent ask "$ID1" --to MT-AFM --purpose "flood 3" --profile $C >"$T/out" 2>&1
rc=$?
[ $rc != 0 ] && ok || bad "a third consent request under a limit of 2 a day was accepted"
expect_in "$T/out" "rate limit onward_requests_per_day=2 reached; retry after "

# Still serving, and the ledger verifies.
run 0 "$L" disclosures "$IDC" --profile $C
kill "$BPID"; wait "$BPID" 2>/dev/null; BPID=
run 0 "$AUDIT" verify --ledger "$DB" --cert "$X/broker/cert.crt" --authority "$X/authority/authority.pub" --quiet

lia_done attack_ledger_queries

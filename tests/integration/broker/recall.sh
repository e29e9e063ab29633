#!/bin/bash
# recall.sh BUILD SRC RAWCLIENT — recall and correction (issue 13) with
# the real agent and broker: a recall reaches every holder of the
# original (online now, or offline and connecting later), from the
# delivery records; each holder's confirmation is recorded; read and
# inbox show the original as recalled or superseded, also after a
# restart; nobody but the originator (or its agency's liaison officers,
# as the policy says) supersedes a message, and a stranger learns
# nothing by trying; a message is superseded once; --erase purges; a
# message recalled under embargo is never released.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
id_of() { sed -n 's/.*"id":"\([0-9a-f]\{32\}\)".*/\1/p' "$1" | head -1; }
publish() { # publish TITLE ARGS...: an AMBER route of ventimiglia's; its id in $ID
	local title=$1
	shift
	run 0 "$L" publish --profile ventimiglia --kind route --tlp AMBER --release-region MED-CENTRAL \
		--region MED-CENTRAL --title "$title" --set mode=sea "$@" --json
	ID=$(id_of "$T/out")
}
# Two more principals of IT-GDF: a liaison officer and an analyst.
for p in imperia:liaison genova:analyst; do
	"$CERTS" keygen --subject "IT-GDF/${p%:*}" --dir "$X/${p%:*}" --insecure >/dev/null
	"$CERTS" issue --authority "$X/authority" --request "$X/${p%:*}/request.req" --agency IT-GDF \
		--country IT --region MED-CENTRAL --role "${p#*:}" --days 30 \
		--out "$X/${p%:*}/cert.crt" >/dev/null
	cp "$X/${p%:*}/cert.crt" "$X/certs/${p%:*}.crt"
	sed "s#$X/ventimiglia#$X/${p%:*}#" "$X/profiles/ventimiglia.yaml" >"$X/profiles/${p%:*}.yaml"
done
hup

publish "Departures tonight" --to IT-PS/roma --to MT-AFM/valletta
MSG=$ID
expect_in "$T/out" '"disclosed":2'
run 0 "$L" listen --profile roma --count 1 --timeout 10 # roma holds it; valletta is offline

# --- nobody else recalls it, and learns nothing by trying ---
run 4 "$L" recall "$MSG" --reason "not mine" --profile roma
expect_in "$T/err" "recall.not-yours"
cp "$T/err" "$T/err.real"
run 4 "$L" publish --profile roma --kind recall --supersedes 00112233445566778899aabbccddeeff \
	--tlp AMBER --release-region MED-CENTRAL --region MED-CENTRAL --set reason=probe --json
expect_in "$T/out" "no message of yours or your agency's has that id"
expect_in "$T/err.real" "no message of yours or your agency's has that id"
# An analyst of the agency does not hold it: 'recall' cannot copy its
# marking and says how to recall it; analysts send no recalls at all.
run 1 "$L" recall "$MSG" --reason "an analyst of the agency" --profile genova
expect_in "$T/err" "you do not hold $MSG"
run 4 "$L" publish --profile genova --kind recall --supersedes "$MSG" --tlp AMBER \
	--release-region MED-CENTRAL --region MED-CENTRAL --set reason=probe --json
expect_in "$T/out" '"rule":"role.publish"'

run 2 "$L" recall "$MSG" --profile ventimiglia # a reason is required
[ "$(count "kind=recall")" -eq 0 ] && ok || bad "a recall was accepted from someone not entitled"

# --- the originator recalls it: the online holder at once ---
listen_bg roma IT-PS/roma "$T/roma.out" 5
run 0 "$L" recall "$MSG" --reason "wrong vessel named" --profile ventimiglia
expect_in "$T/out" "recalled $MSG with [0-9a-f]\{32\}: notified 2 holders, withheld from 0"
REC=$(sed -n 's/.* with \([0-9a-f]\{32\}\):.*/\1/p' "$T/out")
wait "$LPID"
expect_in "$T/roma.out" "\"kind\":\"recall\""
expect_in "$T/roma.out" "\"supersedes\":\"$MSG\""
expect_in "$T/roma.out" '"reason":"wrong vessel named"'
run 0 "$L" read "$MSG" --profile roma
expect_in "$T/out" "^RECALLED: recalled at .* by IT-GDF/ventimiglia: wrong vessel named"
run 0 "$L" read "$MSG" --profile roma --json
expect_in "$T/out" '"superseded":{[^}]*"how":"recalled"'
run 0 "$L" inbox --profile roma
expect_in "$T/out" "$MSG .*\[recalled at .* by IT-GDF/ventimiglia: wrong vessel named\]"
expect_in "$T/out" "$REC  recall .*via holder"

# --- the offline holder gets it when it connects; confirmed once ---
run 0 "$L" listen --profile valletta --timeout 3
expect_in "$T/out" "$REC  TLP:AMBER .*recall .*RECALLS $MSG: wrong vessel named"
run 0 "$L" listen --profile valletta --timeout 2 --json
grep -q "\"supersedes\":\"$MSG\"" "$T/out" && bad "the recall was owed again after it was acknowledged" || ok

# --- once: no second recall, no recall of a recall ---
run 4 "$L" recall "$MSG" --reason "again" --profile ventimiglia
expect_in "$T/err" "recall.superseded"
expect_in "$T/err" "was recalled at .* by IT-GDF/ventimiglia (recall $REC)"
run 4 "$L" publish --profile ventimiglia --kind recall --supersedes "$REC" --tlp AMBER \
	--release-region MED-CENTRAL --region MED-CENTRAL --set reason=x --json
expect_in "$T/out" '"rule":"recall.of-recall"'

# --- a recall goes to holders only, at once ---
publish "Second route" --to IT-PS/roma
M4=$ID
run 4 "$L" publish --profile ventimiglia --kind recall --supersedes "$M4" --tlp AMBER \
	--release-region MED-CENTRAL --region MED-CENTRAL --set reason=x --to HR-MUP/zagreb --json
expect_in "$T/out" '"rule":"recall.to"'
run 4 "$L" publish --profile ventimiglia --kind recall --supersedes "$M4" --tlp AMBER \
	--release-region MED-CENTRAL --region MED-CENTRAL --set reason=x --embargo-until +1h --json
expect_in "$T/out" '"rule":"recall.embargo"'

# --- a correction by the agency's liaison officer (the policy allows it):
# the holder and the originator get it ---
run 0 "$L" publish --profile imperia --kind route --tlp AMBER --release-region MED-CENTRAL \
	--region MED-CENTRAL --title "Second route, corrected" --set mode=land --supersedes "$M4" --json
COR=$(id_of "$T/out")
expect_in "$T/out" '"disclosed":2'
run 0 "$L" read "$M4" --profile roma
expect_in "$T/out" "^SUPERSEDED: superseded by $COR at .* by IT-GDF/imperia"
run 0 "$L" listen --profile roma --timeout 3
expect_in "$T/out" "Second route, corrected  \[corrects $M4\]"
run 0 "$L" listen --profile ventimiglia --timeout 3
expect_in "$T/out" "$COR .*from IT-GDF/imperia .*via holder"
run 4 "$L" recall "$M4" --reason "late" --profile ventimiglia
expect_in "$T/err" "was corrected at .* by IT-GDF/imperia (correction $COR): recall that one instead"

# --- recall --erase: the holders purge; read says why ---
publish "Third route" --to IT-PS/roma
M3=$ID
run 0 "$L" listen --profile roma --timeout 3
run 0 "$L" recall "$M3" --reason "source burned" --erase --profile ventimiglia
expect_in "$T/out" "notified 1 holder, withheld from 0; erased"
run 0 "$L" listen --profile roma --timeout 3 --json
expect_in "$T/out" '"event":"erase"'
expect_in "$T/out" "\"supersedes\":\"$M3\""
run 1 "$L" read "$M3" --profile roma
expect_in "$T/err" "was erased (or expired) at"
expect_in "$T/err" "it was recalled at .* by IT-GDF/ventimiglia: source burned"
run 0 "$L" inbox --profile roma
expect_in "$T/out" "$M3 .*\[erased\]  \[recalled at .*: source burned\]"

# --- a holder that never received the recall learns nothing of it ---
run 0 "$L" read "$MSG" --profile ventimiglia --json # the originator's own copy: no delivery
grep -q '"superseded"' "$T/out" && bad "the originator's own read shows a supersession it was not sent" || ok

# --- a holder by consent, outside the original's audience, is reached:
# the originator's recall names the holders the broker lists ---
publish "Fourth route" --to IT-PS/roma
M5=$ID
run 0 "$L" consent ask "$M5" --to HR-MUP/zagreb --purpose "joint case with Croatia" --profile roma --json
ASK=$(sed -n 's/.*"request":\([0-9]*\).*/\1/p' "$T/out")
run 0 "$L" consent grant "$ASK" --profile ventimiglia
run 0 "$L" listen --profile zagreb --timeout 3
expect_in "$T/out" "$M5"
run 0 "$L" recall "$M5" --reason "withdrawn" --profile ventimiglia
expect_in "$T/out" "notified 2 holders, withheld from 0"
run 0 "$L" listen --profile zagreb --timeout 3
expect_in "$T/out" "RECALLS $M5: withdrawn"

# --- a kind recall names what it recalls ---
run 4 "$L" publish --profile ventimiglia --kind recall --tlp AMBER --release-region MED-CENTRAL \
	--region MED-CENTRAL --set reason=nothing --to IT-PS/roma --json
expect_in "$T/out" '"rule":"recall.missing"'

# --- recalled under embargo: never released, nobody learns of it ---
publish "Embargoed route" --to IT-PS/roma --embargo-until +5s
M6=$ID
run 4 "$L" publish --profile ventimiglia --kind route --tlp AMBER --release-region MED-CENTRAL \
	--region MED-CENTRAL --title "Embargoed, corrected" --set mode=sea --supersedes "$M6" --json
expect_in "$T/out" '"rule":"recall.embargoed"'
run 0 "$L" recall "$M6" --reason "operation cancelled" --profile ventimiglia --json
expect_in "$T/out" '"notified":0'
sleep 6 # past the embargo
run 0 "$L" listen --profile roma --timeout 2 --json
grep -q "$M6" "$T/out" && bad "a message recalled under embargo was released" || ok
run 0 "$L" inbox --profile roma
grep -q "$M6" "$T/out" && bad "a message recalled under embargo is listed" || ok
run 1 "$L" read "$M6" --profile roma
expect_in "$T/err" "no message with that id was delivered to you"
[ "$(sqlite3 "$X/data/liaison.db" "SELECT count(*) FROM deliveries d JOIN messages m ON m.seq = d.message_seq \
	WHERE m.id = x'$M6' AND (d.erase_due = 1 OR d.sent_at > 0)")" = 0 ] && ok ||
	bad "a recipient was sent or owed something of a message recalled under embargo"

# --- kept across a restart ---
kill -TERM "$BPID"
wait "$BPID" 2>/dev/null
start_broker || exit 1
run 0 "$L" read "$MSG" --profile valletta
expect_in "$T/out" "^RECALLED: recalled at .* by IT-GDF/ventimiglia: wrong vessel named"
run 4 "$L" recall "$MSG" --reason "after a restart" --profile ventimiglia
expect_in "$T/err" "recall.superseded"

# --- the ledger: one recall record, one correction record, each holder's
# confirmation ---
kill -TERM "$BPID"
wait "$BPID" 2>/dev/null
BPID=
DB="$X/data/liaison.db"
run 0 "$AUDIT" query --ledger "$DB" --message "$MSG" --op recall --json
[ "$(grep -c '"operation":"recall"' "$T/out")" -eq 1 ] && ok || bad "not one recall record"
expect_in "$T/out" '"actor":{"subject":"IT-GDF/ventimiglia"'
expect_in "$T/out" "recalled by message $REC: 2 notified, 0 withheld"
run 0 "$AUDIT" query --ledger "$DB" --message "$M4" --op correction --json
[ "$(grep -c '"operation":"correction"' "$T/out")" -eq 1 ] && ok || bad "not one correction record"
expect_in "$T/out" '"actor":{"subject":"IT-GDF/imperia"'
run 0 "$AUDIT" query --ledger "$DB" --message "$REC" --op acknowledge --json
[ "$(grep -c '"operation":"acknowledge"' "$T/out")" -eq 2 ] && ok || bad "not two confirmations of the recall"
run 0 "$AUDIT" disclosures "$MSG" --ledger "$DB"
expect_in "$T/out" "recall"
run 0 "$AUDIT" query --ledger "$DB" --message "$M6" --op erase --json
expect_in "$T/out" "before its embargo ended: never released"
run 0 "$AUDIT" verify --ledger "$DB" --cert "$X/broker/cert.crt" --authority "$X/authority/authority.pub" --quiet

lia_done recall

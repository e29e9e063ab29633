#!/bin/bash
# quotes.sh BUILD SRC RAWCLIENT — replies and forwards (issue 13) with
# the real agent and broker: a reply carries the combined marking of
# what it answers and goes back to its originator; the broker refuses a
# message naming another that is less restricted (quote.marking), one
# naming a message the sender does not hold or that was erased
# (quote.unknown, the same words for an id that names nothing), and a
# forward the original's onward rules forbid (H2 or RED without the
# originator's consent), with the rule; a consent makes the forward
# possible; a reply expires no later than what it quotes. A forward of a
# forward, and a consent to a forward, are judged by the original's rules
# too (two hops); a chain of replies stops at 64.
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

lia_exchange
id_of() { sed -n 's/.*"id":"\([0-9a-f]\{32\}\)".*/\1/p' "$1" | head -1; }
consent() { # consent MESSAGE GRANTEE ASKER GRANTER: asked and granted; the grant's JSON in $T/out
	run 0 "$L" consent ask "$1" --to "$2" --purpose "joint patrol" --profile "$3" --json
	local ask
	ask=$(sed -n 's/.*"request":\([0-9]*\).*/\1/p' "$T/out")
	run 0 "$L" consent grant "$ask" --profile "$4" --json
}

# An AMBER H2 route of ventimiglia's, to roma; valletta is in its
# audience (MED-CENTRAL) but does not hold it.
run 0 "$L" publish --profile ventimiglia --kind route --tlp AMBER --handling H2 \
	--release-region MED-CENTRAL --region MED-CENTRAL --title "Departures tonight" --set mode=sea \
	--to IT-PS/roma --expires-at +2d --json
H2MSG=$(id_of "$T/out")
expect_in "$T/out" '"disclosed":1'
run 0 "$L" listen --profile roma --count 1 --timeout 10

# --- a forward without the originator's consent is refused, with the rule ---
run 4 "$L" forward "$H2MSG" --to MT-AFM/valletta --profile roma --json
expect_in "$T/out" '"accepted":false'
expect_in "$T/out" '"rule":"h2.onward"'
expect_in "$T/out" "quotes $H2MSG: H2: the message may not be passed on to MT-AFM/valletta"
run 2 "$L" forward "$H2MSG" --profile roma # --to is required

# --- the same message, less restricted, is refused at once ---
run 4 "$L" publish --profile roma --kind note --tlp GREEN --region MED-CENTRAL --set text=x \
	--in-reply-to "$H2MSG" --to MT-AFM/valletta --json
expect_in "$T/out" '"rule":"quote.marking"'
expect_in "$T/out" "its TLP:GREEN is less restrictive than TLP:AMBER"
run 4 "$L" publish --profile roma --kind note --tlp AMBER --release-region MED-CENTRAL \
	--region MED-CENTRAL --set text=x --in-reply-to "$H2MSG" --to MT-AFM/valletta --json
expect_in "$T/out" "it lacks handling code H2"

# --- nobody quotes what it does not hold, and learns nothing by trying ---
run 4 "$L" publish --profile valletta --kind note --tlp AMBER --handling H2 --release-region MED-CENTRAL \
	--region MED-CENTRAL --set text=x --in-reply-to "$H2MSG" --to IT-PS/roma --json
expect_in "$T/out" '"rule":"quote.unknown"'
sed 's/"id":"[0-9a-f]*",//' "$T/out" >"$T/real"
run 4 "$L" publish --profile valletta --kind note --tlp AMBER --handling H2 --release-region MED-CENTRAL \
	--region MED-CENTRAL --set text=x --in-reply-to 00112233445566778899aabbccddeeff --to IT-PS/roma --json
sed 's/"id":"[0-9a-f]*",//; s/00112233445566778899aabbccddeeff/'"$H2MSG"'/' "$T/out" >"$T/none"
cmp -s "$T/real" "$T/none" && ok || bad "quoting a message one does not hold answers differently"
run 1 "$L" reply "$H2MSG" --text "hello" --profile valletta
expect_in "$T/err" "no message with that id was delivered to you"

# --- a reply carries the combined marking and goes to the originator ---
run 0 "$L" reply "$H2MSG" --text "seen them leave at 02:10" --profile roma --json
REPLY=$(id_of "$T/out")
expect_in "$T/out" '"disclosed":1'
run 0 "$L" listen --profile ventimiglia --count 1 --timeout 10 --json
expect_in "$T/out" "\"in_reply_to\":\"$H2MSG\""
expect_in "$T/out" '"tlp":"AMBER"'
expect_in "$T/out" '"handling":\["H0","H2"\]'
expect_in "$T/out" '"title":"Re: Departures tonight"'
[ "$(sqlite3 "$X/data/liaison.db" "SELECT m.expires_at = o.expires_at FROM messages m, messages o \
	WHERE m.id = x'$REPLY' AND o.id = x'$H2MSG'")" = 1 ] && ok || bad "the reply outlives what it quotes"
# A reply that would narrow the audience to no one is refused by the agent.
run 2 "$L" reply "$H2MSG" --text x --release-region WESTERN-BALKANS --profile roma
expect_in "$T/err" "no released regions in common"

# --- the originator consents: the forward goes through ---
consent "$H2MSG" MT-AFM/valletta roma ventimiglia
run 0 "$L" forward "$H2MSG" --to MT-AFM/valletta --profile roma --json
expect_in "$T/out" '"disclosed":1'

# --- two hops: a forward of a forward, and a consent to a forward, are
# judged by the original's rules too ---
run 0 "$L" publish --profile ventimiglia --kind route --tlp AMBER --handling H2 \
	--release-region MED-CENTRAL --release-region MED-EASTERN --region MED-CENTRAL --title "Two hops" \
	--set mode=sea --to IT-PS/roma --expires-at +2d --json
X2=$(id_of "$T/out")
run 0 "$L" listen --profile roma --count 1 --timeout 10
consent "$X2" MT-AFM/valletta roma ventimiglia
run 0 "$L" forward "$X2" --to MT-AFM/valletta --profile roma --json
F1=$(id_of "$T/out")
expect_in "$T/out" '"disclosed":1'
# roma, F1's originator, consents to piraeus receiving its forward; but
# ventimiglia's H2 still binds what F1 quotes: the consent reaches no one.
consent "$F1" GR-HCG/piraeus valletta roma
expect_in "$T/out" '"disclosed":0'
expect_in "$T/out" '"withheld":1'
run 1 "$L" read "$F1" --profile piraeus
expect_in "$T/err" "no message with that id was delivered to you"
# Nor does valletta's forward of F1, with the rule of the original.
run 4 "$L" forward "$F1" --to GR-HCG/piraeus --profile valletta --json
expect_in "$T/out" '"rule":"h2.onward"'
expect_in "$T/out" "quotes $X2: H2: the message may not be passed on to GR-HCG/piraeus"
# A correction of F1 carries what F1 quoted: the same rules bind it.
run 0 "$L" publish --profile roma --kind route --tlp AMBER --handling H2 --release-region MED-CENTRAL \
	--release-region MED-EASTERN --region MED-CENTRAL --title "Two hops, corrected" --set mode=sea \
	--supersedes "$F1" --to GR-HCG/piraeus --json
expect_in "$T/out" '"disclosed":1' # valletta, which holds F1
expect_in "$T/out" '"withheld":1'
C1=$(id_of "$T/out")
run 0 "$AUDIT" disclosures "$C1" --ledger "$X/data/liaison.db"
expect_in "$T/out" "quotes $X2: H2"
# Nor does a forward of the correction, or a consent to it, escape them.
run 0 "$L" listen --profile valletta --timeout 3
consent "$C1" GR-HCG/piraeus valletta roma
expect_in "$T/out" '"disclosed":0'
# (roma's consent lets piraeus past C1's own H2; ventimiglia's still binds)
run 4 "$L" forward "$C1" --to GR-HCG/piraeus --profile valletta --json
expect_in "$T/out" '"rule":"h2.onward"'
expect_in "$T/out" "quotes $X2: H2"
# Once ventimiglia consents to piraeus having the original, F1 may follow.
consent "$X2" GR-HCG/piraeus roma ventimiglia
expect_in "$T/out" '"disclosed":1'
run 0 "$L" forward "$F1" --to GR-HCG/piraeus --profile valletta --json
expect_in "$T/out" '"disclosed":1'

# --- an embargo that would end after what it quotes expires ---
# (the agent's reply says so itself; the broker checks what it is sent)
run 2 "$L" reply "$X2" --text "later" --embargo-until +3d --profile roma
run 4 "$L" publish --profile roma --kind note --tlp AMBER --handling H2 --release-region MED-CENTRAL \
	--release-region MED-EASTERN --region MED-CENTRAL --set text=later --in-reply-to "$X2" \
	--embargo-until +3d --expires-at +4d --to IT-GDF/ventimiglia --json
expect_in "$T/out" '"rule":"quote.expiry"'

# --- RED: only the principals named ---
run 0 "$L" send IT-PS/roma --profile ventimiglia --text "the source is the skipper's brother" --json
RED=$(id_of "$T/out")
run 0 "$L" listen --profile roma --count 1 --timeout 10
run 4 "$L" forward "$RED" --to MT-AFM/valletta --profile roma --json
expect_in "$T/out" '"rule":"tlp.red.named-only"'
run 0 "$L" reply "$RED" --text "understood" --profile roma --json
expect_in "$T/out" '"disclosed":1'

# --- a message without onward limits is forwarded within its audience ---
run 0 "$L" publish --profile ventimiglia --kind route --tlp GREEN --region MED-CENTRAL \
	--title "Open route notice" --set mode=sea --to IT-PS/roma --json
GREEN=$(id_of "$T/out")
run 0 "$L" listen --profile roma --count 1 --timeout 10
run 0 "$L" forward "$GREEN" --to MT-AFM/valletta --profile roma --json
FWD=$(id_of "$T/out")
expect_in "$T/out" '"disclosed":1'
run 0 "$L" listen --profile valletta --timeout 3 --json
expect_in "$T/out" "\"id\":\"$FWD\""
expect_in "$T/out" '"originator":"IT-PS/roma"'
expect_in "$T/out" '"title":"Open route notice"'

# --- the thread, as each principal may see it ---
run 0 "$L" reply "$REPLY" --text "thanks" --profile ventimiglia --json
RR=$(id_of "$T/out")
run 0 "$L" thread "$RR" --profile roma
expect_in "$T/out" "^$H2MSG  route .*from IT-GDF/ventimiglia"
expect_in "$T/out" "^  $REPLY  note .*from IT-PS/roma .*(yours)"
expect_in "$T/out" "^    $RR  note .*from IT-GDF/ventimiglia"
expect_in "$T/out" "^  [0-9a-f]\{32\}  route .*from IT-PS/roma .*(yours)" # the forward to valletta
run 0 "$L" thread "$H2MSG" --profile valletta --json # holds the original (consent) and the forward
[ "$(grep -c '"id"' "$T/out")" -eq 2 ] && ok || bad "valletta sees more or less of the thread than it holds"
grep -q "$REPLY" "$T/out" && bad "valletta sees a reply it never received" || ok
run 1 "$L" thread "$H2MSG" --profile piraeus
expect_in "$T/err" "no message with that id was delivered to you"

# --- a chain of replies goes LIA_THREAD_DEPTH_MAX deep, and no deeper ---
run 0 "$L" publish --profile ventimiglia --kind note --tlp GREEN --region MED-CENTRAL --set text=start \
	--to IT-PS/roma --json
PREV=$(id_of "$T/out") START=$PREV
for i in $(seq 64); do
	who=roma to=IT-GDF/ventimiglia
	[ $((i % 2)) -eq 0 ] && who=ventimiglia to=IT-PS/roma
	"$L" publish --profile $who --kind note --tlp GREEN --region MED-CENTRAL --set text="step $i" \
		--in-reply-to "$PREV" --to $to --json >"$T/out" 2>"$T/err" || break
	PREV=$(id_of "$T/out")
done
[ "$i" -eq 64 ] && grep -q '"accepted":true' "$T/out" && ok || bad "reply $i of a chain of 64 was refused"
run 4 "$L" publish --profile roma --kind note --tlp GREEN --region MED-CENTRAL --set text="one too many" \
	--in-reply-to "$PREV" --to IT-GDF/ventimiglia --json
expect_in "$T/out" '"rule":"quote.depth"'
run 0 "$L" thread "$START" --profile ventimiglia --json
[ "$(grep -c '"id"' "$T/out")" -eq 65 ] && ok || bad "the thread of 65 is not listed whole"
expect_in "$T/out" '"depth":64'

# --- an erased message is quoted no more ---
run 0 "$L" erase "$GREEN" --reason "withdrawn" --profile ventimiglia
run 4 "$L" publish --profile roma --kind route --tlp GREEN --region MED-CENTRAL --set mode=sea \
	--title x --in-reply-to "$GREEN" --to MT-AFM/valletta --json
expect_in "$T/out" '"rule":"quote.unknown"'

# --- the ledger holds every decision, and verifies ---
kill -TERM "$BPID"
wait "$BPID" 2>/dev/null
BPID=
DB="$X/data/liaison.db"
run 0 "$AUDIT" verify --ledger "$DB" --cert "$X/broker/cert.crt" --authority "$X/authority/authority.pub" --quiet

lia_done quotes

#!/bin/bash
# policy_cli.sh POLICY-TOOL EXAMPLE CORPUS [CERTS LIAISON] — liaison-policy
# as a real program: check valid and broken files, the hash and the
# canonical form, explain with what-if inputs and, when the authority and
# agent tools are given, with a real sealed envelope, certificates and a
# revocation list.
set -u
TOOL=$1 EXAMPLE=$2 CORPUS=$3 CERTS=${4:-} LIAISON=${5:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fails=0 passes=0

# run EXPECTED-EXIT CMD...: run, keep its output, compare the exit code.
run() {
	local want=$1
	shift
	"$@" >"$T/stdout" 2>"$T/stderr"
	local got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: exit $got, expected $want: $*"
		sed 's/^/  | /' "$T/stdout" "$T/stderr"
		fails=$((fails + 1))
	else
		passes=$((passes + 1))
	fi
}

expect_in() { # expect_in FILE TEXT
	if grep -q -- "$2" "$1"; then passes=$((passes + 1)); else
		echo "FAIL: \"$2\" not in $1:"; sed 's/^/  | /' "$1"; fails=$((fails + 1)); fi
}

# --- conventions ---
run 0 "$TOOL" --help
expect_in "$T/stdout" "examples:"
run 0 "$TOOL" --version
expect_in "$T/stdout" "libsodium"
run 2 "$TOOL"
run 2 "$TOOL" frobnicate
run 0 "$TOOL" check --help
run 0 "$TOOL" explain --help
run 2 "$TOOL" check
run 2 "$TOOL" check --json --canonical "$EXAMPLE"
run 0 "$TOOL" rules
expect_in "$T/stdout" "tlp.red.named-only"
run 0 "$TOOL" rules --json
expect_in "$T/stdout" '"rule":"h2.onward"'

# --- check ---
run 0 "$TOOL" check "$EXAMPLE"
expect_in "$T/stdout" "sha256"
hash=$(sed -n 's/^sha256 *//p' "$T/stdout")
run 0 "$TOOL" check --json "$EXAMPLE"
expect_in "$T/stdout" "\"sha256\":\"$hash\""
run 0 "$TOOL" check --canonical "$EXAMPLE"
cp "$T/stdout" canonical.json
run 0 "$TOOL" check canonical.json
expect_in "$T/stdout" "$hash"
# The hash is SHA-256 of the domain line and the canonical form.
if command -v sha256sum >/dev/null; then
	got=$( (printf 'liaison-policy/v1\n'; head -c -1 canonical.json) | sha256sum | cut -d' ' -f1)
	[ "$got" = "$hash" ] && passes=$((passes + 1)) || { echo "FAIL: hash $got != $hash"; fails=$((fails + 1)); }
fi
# Comments and key order do not change the hash.
{ echo "# a comment"; sed -e 's/#.*//' "$EXAMPLE"; } >commented.yaml
run 0 "$TOOL" check commented.yaml
expect_in "$T/stdout" "$hash"
for f in "$CORPUS"/broken-*; do
	run 1 "$TOOL" check "$f"
	if [ -s "$f" ]; then expect_in "$T/stderr" "$(basename "$f"):[0-9]*:[0-9]*: "; fi
done
for f in "$CORPUS"/valid-*; do run 0 "$TOOL" check "$f"; done
run 1 "$TOOL" check /nonexistent/policy.yaml
expect_in "$T/stderr" "/nonexistent/policy.yaml"

# --- explain, what-if ---
cat >red.json <<'JSON'
{"id": "00112233445566778899aabbccddeeff", "originator": "IT-PS/rome",
 "created_at": "2026-03-01T10:00:00Z", "kind": "network", "regions": ["WESTERN-BALKANS"],
 "topic": "balkan-route",
 "restrictions": {"tlp": "RED", "handling": ["H0", "H2"],
                  "release_principals": ["RS-MUP/belgrade", "HR-MUP/zagreb"],
                  "release_agencies": [], "release_regions": [],
                  "embargo_until": null, "expires_at": null},
 "evaluation": "4x4 B2", "data_subjects": ["suspect"]}
JSON
NOW="--now 2026-03-01T10:01:00Z"
run 0 "$TOOL" explain "$EXAMPLE" --header red.json --to RS-MUP/belgrade $NOW
expect_in "$T/stdout" "decision  PERMIT"
expect_in "$T/stdout" "rule      tlp.red.named-only"
run 4 "$TOOL" explain "$EXAMPLE" --header red.json --to RS-MUP/novisad $NOW
expect_in "$T/stdout" "decision  DENY"
run 4 "$TOOL" explain "$EXAMPLE" --header red.json --to RS-MUP/novisad $NOW --json
expect_in "$T/stdout" '"decision":"DENY"'
expect_in "$T/stdout" '"rule":"tlp.red.named-only"'
expect_in "$T/stdout" '"outcome":"deny"'
run 0 "$TOOL" explain "$EXAMPLE" --header red.json --to RS-MUP/novisad --consent RS-MUP/novisad $NOW
expect_in "$T/stdout" "consent.principal"
expect_in "$T/stdout" "waived"
run 4 "$TOOL" explain "$EXAMPLE" --header red.json --to HR-MUP/zagreb --onward $NOW
expect_in "$T/stdout" "rule      h2.onward"
run 4 "$TOOL" explain "$EXAMPLE" --header red.json --to IT-PS/audit:auditor $NOW
expect_in "$T/stdout" "recipient.auditor"
run 4 "$TOOL" explain "$EXAMPLE" --header red.json --to RS-MUP/belgrade --now 2027-03-01T10:00:00Z
expect_in "$T/stdout" "time.expiry"
run 0 "$TOOL" explain "$EXAMPLE" --header red.json --publish $NOW
expect_in "$T/stdout" "publish.admissible"
run 4 "$TOOL" explain "$EXAMPLE" --header red.json --publish --now 2026-03-01T11:00:00Z
expect_in "$T/stdout" "time.skew"
sed 's/"RED"/"GREEN"/; s/"suspect"/"smuggled-migrant"/' red.json >migrant.json
run 4 "$TOOL" explain "$EXAMPLE" --header migrant.json --publish $NOW
expect_in "$T/stdout" "protected.min-tlp"
echo '{"originator": "IT-PS/rome", "kind": "gossip", "restrictions": {"tlp": "GREEN"}}' >bad.json
run 1 "$TOOL" explain "$EXAMPLE" --header bad.json --to HR-MUP/zagreb
expect_in "$T/stderr" "gossip"
echo '{"originator": "IT-PS/rome", "kind": "route", "restrictions": {"tlp": "GREEN"}, "extra": 1}' >bad.json
run 1 "$TOOL" explain "$EXAMPLE" --header bad.json --to HR-MUP/zagreb
expect_in "$T/stderr" "unknown key \"extra\""
run 2 "$TOOL" explain "$EXAMPLE" --header red.json
run 2 "$TOOL" explain "$EXAMPLE" --to HR-MUP/zagreb
run 2 "$TOOL" explain "$EXAMPLE" --header red.json --to "not a principal"
run 2 "$TOOL" explain "$EXAMPLE" --header red.json --recipient x.crt
run 1 "$TOOL" explain "$CORPUS/broken-duplicate.yaml" --header red.json --to HR-MUP/zagreb

# --- explain, real files ---
if [ -n "$CERTS" ] && [ -n "$LIAISON" ]; then
	run 0 "$CERTS" init --dir auth --insecure
	for who in IT-PS/rome RS-MUP/belgrade RS-MUP/novisad; do
		run 0 "$CERTS" keygen --subject "$who" --dir "${who#*/}" --insecure
	done
	run 0 "$CERTS" issue --authority auth --request rome/request.req --agency IT-PS --country IT \
		--region MED-CENTRAL --role liaison --out rome/cert.crt
	run 0 "$CERTS" issue --authority auth --request belgrade/request.req --agency RS-MUP \
		--country RS --region WESTERN-BALKANS --role analyst --out belgrade/cert.crt
	run 0 "$CERTS" issue --authority auth --request novisad/request.req --agency RS-MUP \
		--country RS --region WESTERN-BALKANS --role analyst --out novisad/cert.crt
	run 0 "$LIAISON" seal --keys rome --authority-key auth/authority.pub --to belgrade/cert.crt \
		--kind carrier --tlp RED --release-principal RS-MUP/belgrade --handling H2 \
		--evaluation B2 --title "AL AMAL departs Zuwara tonight" --set vessel.name="AL AMAL" \
		--set vessel.imo=9123456 --set vessel.flag=TG --region WESTERN-BALKANS --out msg.env
	A="--authority auth/authority.pub --originator rome/cert.crt"
	run 0 "$TOOL" explain "$EXAMPLE" --envelope msg.env $A --recipient belgrade/cert.crt
	expect_in "$T/stdout" "decision  PERMIT"
	run 4 "$TOOL" explain "$EXAMPLE" --envelope msg.env $A --recipient novisad/cert.crt --json
	expect_in "$T/stdout" '"rule":"tlp.red.named-only"'
	run 0 "$TOOL" explain "$EXAMPLE" --envelope msg.env $A --publish
	# Revoked recipient.
	run 0 "$CERTS" inspect --json belgrade/cert.crt
	serial=$(grep -o '"serial": *"*[0-9]*' "$T/stdout" | grep -o '[0-9]*$')
	run 0 "$CERTS" revoke --authority auth --serial "$serial" --reason "test"
	run 4 "$TOOL" explain "$EXAMPLE" --envelope msg.env $A --recipient belgrade/cert.crt \
		--crl auth/revocations.crl
	expect_in "$T/stdout" "recipient.cert"
	# A certificate from elsewhere, and a tampered envelope.
	run 0 "$CERTS" init --dir other --insecure
	run 3 "$TOOL" explain "$EXAMPLE" --envelope msg.env --authority other/authority.pub \
		--originator rome/cert.crt --recipient belgrade/cert.crt
	# Change one signed header byte (the region's first letter, W to X):
	# a fixed edit, never one that may happen to write the byte already there.
	cp msg.env bad.env
	at=$(grep -obUa "WESTERN-BALKANS" bad.env | head -n 1 | cut -d: -f1)
	printf 'X' | dd of=bad.env bs=1 seek="${at:-0}" conv=notrunc status=none
	if cmp -s msg.env bad.env; then echo "FAIL: bad.env was not changed"; fails=$((fails + 1)); fi
	run 3 "$TOOL" explain "$EXAMPLE" --envelope bad.env $A --recipient belgrade/cert.crt
	run 0 "$TOOL" explain "$EXAMPLE" --envelope msg.env --unverified --originator rome/cert.crt \
		--recipient belgrade/cert.crt
fi

echo "policy CLI: $passes checks passed, $fails failed"
[ "$fails" -eq 0 ]

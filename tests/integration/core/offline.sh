#!/bin/bash
# offline.sh CERTS LIAISON SCHEMAS — the authority and envelope tools end
# to end: create an exchange, issue and revoke, seal and open, tamper,
# and check that protoc reads our envelopes and that no secret ever
# appears in any output.
set -u
CERTS=$1 LIAISON=$2 SCHEMAS=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
OUT="$T/all-output.txt"
: >"$OUT"
fails=0 passes=0

# run EXPECTED-EXIT CMD...: run, keep its output, compare the exit code.
run() {
	local want=$1
	shift
	"$@" >"$T/stdout" 2>"$T/stderr"
	local got=$?
	cat "$T/stdout" "$T/stderr" >>"$OUT"
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

printf 'a long passphrase for the authority\n' >pass && chmod 600 pass
run 0 "$CERTS" init --dir auth --name test-exchange --passphrase-file pass
run 0 "$CERTS" keygen --subject IT-GDF/ventimiglia --dir alice --insecure
run 0 "$CERTS" keygen --subject MT-AFM/valletta --dir bob --insecure
run 0 "$CERTS" keygen --subject GR-HCG/piraeus --dir carol --insecure
run 0 "$CERTS" issue --authority auth --passphrase-file pass --request alice/request.req \
	--agency IT-GDF --country IT --region MED-CENTRAL --role liaison --out alice/cert.crt
run 0 "$CERTS" issue --authority auth --passphrase-file pass --request bob/request.req \
	--agency MT-AFM --country MT --region MED-CENTRAL --role liaison --role analyst --out bob/cert.crt
run 0 "$CERTS" issue --authority auth --passphrase-file pass --request carol/request.req \
	--agency GR-HCG --country GR --region MED-EAST --role analyst --out carol/cert.crt

# Wrong agency for the subject, bad flags, no passphrase for a protected key.
run 1 "$CERTS" issue --authority auth --passphrase-file pass --request alice/request.req \
	--agency MT-AFM --country MT --role liaison --out x.crt
run 2 "$CERTS" issue --authority auth --request alice/request.req --agency it --country IT --role liaison --out x.crt
run 2 "$CERTS" issue --authority auth --request alice/request.req --agency IT-GDF --country IT --out x.crt
run 2 "$CERTS" frobnicate
# (setsid: no controlling terminal, so no prompt even when the suite
# runs in one.)
run 1 setsid -w "$CERTS" issue --authority auth --request alice/request.req --agency IT-GDF --country IT \
	--role liaison --out y.crt </dev/null
[ -e x.crt ] || [ -e y.crt ] && { echo "FAIL: a refused issue left a file"; fails=$((fails + 1)); }

# Verification and inspection.
run 0 "$CERTS" verify --authority-key auth/authority.pub --crl auth/revocations.crl alice/cert.crt bob/cert.crt
run 3 "$CERTS" verify --authority-key auth/authority.pub --at 2020-01-01 alice/cert.crt
expect_in "$T/stdout" "not yet valid"
run 3 "$CERTS" verify --authority-key auth/authority.pub --at 2099-01-01 alice/cert.crt
expect_in "$T/stdout" "expired"
run 0 "$CERTS" inspect --json --authority-key auth/authority.pub alice/cert.crt
expect_in "$T/stdout" '"subject":"IT-GDF/ventimiglia"'
run 0 "$CERTS" inspect alice/request.req auth/authority.pub auth/revocations.crl
run 1 "$CERTS" inspect alice/sign.sec

# Another authority: its certificate does not verify under ours.
run 0 "$CERTS" init --dir other --insecure
run 0 "$CERTS" keygen --subject IT-GDF/intruder --dir mallory --insecure
run 0 "$CERTS" issue --authority other --request mallory/request.req --agency IT-GDF --country IT --role liaison --out mallory/cert.crt
run 3 "$CERTS" verify --authority-key auth/authority.pub mallory/cert.crt
expect_in "$T/stdout" "issued by another authority"

# Seal for bob; bob opens; carol cannot; the originator can.
run 0 "$LIAISON" seal --keys alice --authority-key auth/authority.pub --to bob/cert.crt \
	--kind carrier --tlp RED --release-principal MT-AFM/valletta --handling H1,H2 \
	--evaluation B2 --title "AL AMAL departs Zuwara tonight" --set vessel.name="AL AMAL" \
	--set vessel.imo=9123456 --set vessel.flag=TG --region MED-CENTRAL --out msg.env
run 0 "$LIAISON" open --keys bob --authority-key auth/authority.pub --from alice/cert.crt msg.env
expect_in "$T/stdout" "TLP:RED"
expect_in "$T/stdout" "AL AMAL"
run 0 "$LIAISON" open --keys bob --authority-key auth/authority.pub --from alice/cert.crt --json msg.env
expect_in "$T/stdout" '"tlp":"RED"'
run 3 "$LIAISON" open --keys carol --authority-key auth/authority.pub --from alice/cert.crt msg.env
expect_in "$T/stderr" "no key wrap for this recipient"
run 0 "$LIAISON" open --keys alice --authority-key auth/authority.pub --from alice/cert.crt msg.env
run 3 "$LIAISON" open --keys bob --authority-key auth/authority.pub --from carol/cert.crt msg.env
expect_in "$T/stderr" "another originator"
run 3 "$LIAISON" open --keys bob --authority-key auth/authority.pub --from mallory/cert.crt msg.env

# Every single-byte corruption of what bob relies on is refused with
# exit 3 (sampled: every 7th byte) and shows nothing of the body. The
# envelope ends with two wraps of 104 bytes each, alice's own then
# bob's; alice's wrap is none of bob's business (wraps are not under the
# signature, by design), so corrupting it must not matter to him.
size=$(stat -c %s msg.env)
own_start=$((size - 208)) own_end=$((size - 104))
cp msg.env bad.env
printf '\x5a' | dd of=bad.env bs=1 seek=$((own_start + 50)) conv=notrunc status=none
run 0 "$LIAISON" open --keys bob --authority-key auth/authority.pub --from alice/cert.crt bad.env
for ((i = 0; i < size; i += 7)); do
	[ "$i" -ge "$own_start" ] && [ "$i" -lt "$own_end" ] && continue
	cp msg.env bad.env
	printf '\x5a' | dd of=bad.env bs=1 seek=$i conv=notrunc status=none
	cmp -s msg.env bad.env && continue
	run 3 "$LIAISON" open --keys bob --authority-key auth/authority.pub --from alice/cert.crt bad.env
	if grep -q "AL AMAL" "$T/stdout" "$T/stderr"; then
		echo "FAIL: body shown from a corrupted envelope (byte $i)"; fails=$((fails + 1))
	fi
done

# Google's protoc reads what we write.
if command -v protoc >/dev/null; then
	protoc --proto_path="$SCHEMAS" --decode=liaison.v1.Envelope envelope.proto <msg.env >decoded.txt
	if [ $? -eq 0 ] && grep -q '^wraps {' decoded.txt; then passes=$((passes + 1)); else
		echo "FAIL: protoc cannot decode the envelope"; fails=$((fails + 1)); fi
	protoc --proto_path="$SCHEMAS" --decode=liaison.v1.Certificate cert.proto <alice/cert.crt >/dev/null &&
		passes=$((passes + 1)) || { echo "FAIL: protoc cannot decode a certificate"; fails=$((fails + 1)); }
else
	echo "FAIL: protoc is not installed (Debian: protobuf-compiler)"; fails=$((fails + 1))
fi

# Revocation: alice's key revoked now; a message she seals afterwards is
# refused, while one sealed before stays readable, flagged.
serial=$("$CERTS" inspect --json alice/cert.crt | sed 's/.*"serial":"\([0-9]*\)".*/\1/')
sleep 1
run 0 "$CERTS" revoke --authority auth --passphrase-file pass --serial "$serial" --reason "laptop stolen"
run 1 "$CERTS" revoke --authority auth --passphrase-file pass --serial "$serial"
run 3 "$CERTS" verify --authority-key auth/authority.pub --crl auth/revocations.crl alice/cert.crt
expect_in "$T/stdout" "revoked"
run 0 "$LIAISON" open --keys bob --authority-key auth/authority.pub --from alice/cert.crt \
	--crl auth/revocations.crl msg.env
expect_in "$T/stdout" "revoked at"
sleep 1
run 0 "$LIAISON" seal --keys alice --authority-key auth/authority.pub --to bob/cert.crt \
	--kind note --tlp AMBER --text "after revocation" --out late.env
run 3 "$LIAISON" open --keys bob --authority-key auth/authority.pub --from alice/cert.crt \
	--crl auth/revocations.crl late.env
expect_in "$T/stderr" "revoked before the message was created"

# Secret files: 0600, refused when opened up, never overwritten.
[ "$(stat -c %a alice/sign.sec)" = 600 ] && passes=$((passes + 1)) || { echo "FAIL: sign.sec not 0600"; fails=$((fails + 1)); }
chmod 644 bob/box.sec
run 1 "$LIAISON" open --keys bob --authority-key auth/authority.pub --from alice/cert.crt msg.env
expect_in "$T/stderr" "chmod 600"
chmod 600 bob/box.sec
run 1 "$CERTS" keygen --subject MT-AFM/valletta --dir bob --insecure
expect_in "$T/stderr" "refusing to overwrite"
run 1 "$LIAISON" seal --keys alice --authority-key auth/authority.pub --to bob/cert.crt \
	--kind note --tlp AMBER --text x --out msg.env

# No secret key, in hex or raw, in anything any command printed.
for f in alice/sign.sec alice/box.sec alice/transport.sec bob/sign.sec bob/box.sec; do
	# With the schema the field always prints as one escaped string
	# (--decode_raw would print random bytes that parse as a message as
	# a nested message); python3 undoes protoc's C escapes exactly.
	secret_hex=$(protoc --proto_path="$SCHEMAS" --decode=liaison.v1.SecretKeyFile keyfile.proto <"$f" |
		sed -n 's/^secret: "\(.*\)"$/\1/p' | head -1 |
		python3 -c 'import codecs, sys; print(codecs.escape_decode(sys.stdin.read().rstrip("\n"))[0].hex())')
	if [ -z "$secret_hex" ]; then echo "FAIL: could not read $f"; fails=$((fails + 1)); continue; fi
	if grep -qi "${secret_hex:0:32}" "$OUT"; then echo "FAIL: secret of $f printed"; fails=$((fails + 1)); else passes=$((passes + 1)); fi
done

# Usage errors exit 2 and say what.
run 2 "$LIAISON" seal --keys alice
run 2 "$LIAISON" seal --keys alice --authority-key auth/authority.pub --out z.env --kind route
expect_in "$T/stderr" "tlp"
run 2 "$LIAISON" seal --keys alice --authority-key auth/authority.pub --out z.env --kind route --tlp PURPLE
run 2 "$LIAISON" seal --keys alice --authority-key auth/authority.pub --out z.env --kind route --tlp RED --set nope=1
# Each names the flag and the reason (issue 16): text that is not UTF-8,
# a value of the wrong type for a field of the kind's content.
S=(seal --keys alice --authority-key auth/authority.pub --to bob/cert.crt --out z.env --kind route --tlp GREEN)
run 2 "$LIAISON" "${S[@]}" --title "$(printf 'Zuwara\xff')"
expect_in "$T/stderr" "title: not valid UTF-8"
run 2 "$LIAISON" "${S[@]}" --title t --topic "$(printf 'zu\xc3')"
expect_in "$T/stderr" "\-\-topic: not valid UTF-8"
run 2 "$LIAISON" "${S[@]}" --title t --topic "$(printf 'zu\x07')"
expect_in "$T/stderr" "\-\-topic: contains a control"
run 2 "$LIAISON" "${S[@]}" --title t --set capacity=lots
expect_in "$T/stderr" "capacity: expected an integer"
# A time may be a duration from now (issue 16); a bad unit is refused.
run 2 "$LIAISON" "${S[@]}" --title t --expires-at +7w
expect_in "$T/stderr" "expected 2026-11-28T10:00:00Z or +7d"
run 0 "$LIAISON" "${S[@]}" --title t --expires-at +7d --embargo-until 2h --out rel.env
run 0 "$LIAISON" open rel.env --keys bob --authority-key auth/authority.pub --from alice/cert.crt --json
expect_in "$T/stdout" "\"expires_at\":\"20[0-9-]*T"
expect_in "$T/stdout" "\"embargo_until\":\"20[0-9-]*T"
# --text - and --body - read the standard input, once, bounded (issue 16).
N=(seal --keys alice --authority-key auth/authority.pub --to bob/cert.crt --kind note --tlp GREEN)
printf 'line one\nline two\n' >note.txt
run 0 "$LIAISON" "${N[@]}" --title t --text - --out in1.env <note.txt
run 0 "$LIAISON" open in1.env --keys bob --authority-key auth/authority.pub --from alice/cert.crt --json
expect_in "$T/stdout" '"text":"line one\\nline two"'
printf '{"title":"x","note":{"text":"piped"}}' >body.json
run 0 "$LIAISON" "${N[@]}" --body - --out in2.env <body.json
run 2 "$LIAISON" "${N[@]}" --body - --text - --out in3.env <note.txt
expect_in "$T/stderr" "the standard input is already read"
head -c 1100000 /dev/zero >big.txt
run 2 "$LIAISON" "${N[@]}" --title t --text - --out in4.env <big.txt
expect_in "$T/stderr" "the standard input holds more than"
[ -e z.env ] && { echo "FAIL: an envelope was written"; fails=$((fails + 1)); } || passes=$((passes + 1))
run 0 "$LIAISON" --help
run 0 "$LIAISON" --version
expect_in "$T/stdout" "libzmq"
run 0 "$CERTS" --help

echo "offline: $passes passed, $fails failed"
[ "$fails" -eq 0 ]

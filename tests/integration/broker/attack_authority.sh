#!/bin/bash
# attack_authority.sh BUILD SRC RAWCLIENT — issue 10, items 8, 9 and 10,
# against the real broker, agent and authority tool:
#   8  a crash must not write a secret key to a core file: the broker and
#      a running `liaison listen` have a core size limit of 0 (soft and
#      hard), however high the limit they were started with;
#   9  the authority refuses to certify a key it already certified for
#      another subject (here: a request reusing a principal's transport
#      key under a new name), and still renews the same subject;
#   10 serials are JSON strings; a serial rounded by a JSON tool, or one
#      never issued, is refused by `revoke` instead of "revoking" nobody;
#      `revoke --cert FILE` revokes exactly that certificate.
set -u
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd) RAW=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
. "$(dirname "$0")/lib.sh"

# Item 8 is only shown when the processes could dump: raise our soft
# limit as far as the hard one allows before anything starts, and run
# them in a folder of their own, where a plain core_pattern ("core")
# would put a core file.
ulimit -S -c unlimited 2>/dev/null || ulimit -S -c "$(ulimit -H -c)"
mkdir "$T/cwd" && cd "$T/cwd" || exit 1
lia_exchange
A="$X/authority"

# --- 8. no core files ---
no_core() { # no_core PID WHAT
	if grep -Eq '^Max core file size +0 +0 ' "/proc/$1/limits"; then ok; else
		bad "$2 may write a core file:"; grep 'core' "/proc/$1/limits" | sed 's/^/  | /'
	fi
}
no_core "$BPID" "the broker"
listen_bg valletta MT-AFM/valletta "$T/listen.json" 20
no_core "$LPID" "liaison listen"
# And a real crash writes nothing (checked where the kernel would write
# to the process's folder; a piped core_pattern is not ours to read).
crash_leaves_no_core() { # crash_leaves_no_core PID WHAT
	kill -SEGV "$1" 2>/dev/null; wait "$1" 2>/dev/null
	case $(cat /proc/sys/kernel/core_pattern) in
	'|'* | /*) ok ;;
	*) if ls "$T/cwd" | grep -q '^core'; then bad "$2 left a core file:"; ls -l "$T/cwd"; rm -f "$T/cwd"/core*; else ok; fi ;;
	esac
}
crash_leaves_no_core "$LPID" "liaison listen"
LPID=

# --- 10. serials are strings, exact, and only ours can be revoked ---
run 0 "$CERTS" inspect --json "$X/zagreb/cert.crt"
expect_in "$T/out" '"serial":"[0-9][0-9]*"'
serial=$(sed 's/.*"serial":"\([0-9]*\)".*/\1/' "$T/out")
run 0 "$CERTS" verify --json --authority-key "$A/authority.pub" "$X/zagreb/cert.crt"
expect_in "$T/out" "\"serial\":\"$serial\""
run 0 "$L" directory --profile zagreb --json
expect_in "$T/out" "\"serial\":\"$serial\""
# What a JSON tool that reads numbers as doubles (jq, JavaScript) makes of
# the serial: serials are random below 2^63, so nearly always above 2^53.
rounded=$(awk -v s="$serial" 'BEGIN { printf "%.0f", s + 0 }')
[ "$rounded" = "$serial" ] && rounded=$((serial ^ 1)) # the rare exact one
run 1 "$CERTS" revoke --authority "$A" --serial "$rounded" --reason "rounded"
expect_in "$T/err" "never issued serial $rounded"
run 1 "$CERTS" revoke --authority "$A" --serial 12345 --reason "made up"
# A certificate of another authority is not ours to revoke.
run 0 "$CERTS" init --dir "$T/other" --insecure
run 0 "$CERTS" keygen --subject HR-MUP/split --dir "$T/split" --insecure
run 0 "$CERTS" issue --authority "$T/other" --request "$T/split/request.req" --agency HR-MUP \
	--country HR --role liaison --out "$T/split/cert.crt"
run 1 "$CERTS" revoke --authority "$A" --cert "$T/split/cert.crt"
run 0 "$CERTS" inspect --json "$A/revocations.crl"
expect_in "$T/out" '"revoked":\[\]'
run 0 "$L" directory --profile zagreb # nobody was revoked
# The real thing, by file, and by a serial the index lists.
run 0 "$CERTS" revoke --authority "$A" --cert "$X/zagreb/cert.crt" --reason "laptop stolen"
expect_in "$T/out" "revoked $serial;"
bserial=$("$CERTS" inspect --json "$X/beograd/cert.crt" | sed 's/.*"serial":"\([0-9]*\)".*/\1/')
run 0 "$CERTS" revoke --authority "$A" --serial "$bserial" --reason "left the service"
run 0 "$CERTS" inspect --json "$A/revocations.crl"
expect_in "$T/out" "\"serial\":\"$serial\""
run 3 "$CERTS" verify --authority-key "$A/authority.pub" --crl "$A/revocations.crl" "$X/zagreb/cert.crt"
expect_in "$T/out" "INVALID: revoked"
hup
expect_in "$X/broker.log" "certificate-revoked serial=$serial"
run 4 "$L" directory --profile zagreb
run 4 "$L" directory --profile beograd
"$AUDIT" query --ledger "$X/data/liaison.db" --op certificate-revoked --json --quiet >"$T/rev.json"
expect_in "$T/rev.json" "\"certificate_serial\":\"$serial\""

# --- 9. one key, one subject ---
run 0 "$RAW" request "$X/valletta" MT-AFM/valletta2 "$T/squat.req"
run 1 "$CERTS" issue --authority "$A" --request "$T/squat.req" --agency MT-AFM --country MT \
	--region MED-CENTRAL --role liaison --out "$T/squat.crt"
expect_in "$T/err" 'transport key is already certified for "MT-AFM/valletta"'
[ -e "$T/squat.crt" ] && bad "a certificate was written for the reused key" || ok
# The same request again for its own subject is a renewal, and allowed.
run 0 "$CERTS" issue --authority "$A" --request "$X/valletta/request.req" --agency MT-AFM \
	--country MT --region MED-CENTRAL --role liaison --out "$T/valletta-renewed.crt"
# The index has one line per certificate: the broker, seven principals,
# the renewal; nothing for the refused request.
[ "$(wc -l <"$A/issued.idx")" -eq 9 ] && ok || { bad "issued.idx:"; sed 's/^/  | /' "$A/issued.idx"; }

# Last, the broker crashes: no core file either.
crash_leaves_no_core "$BPID" "the broker"
BPID=

lia_done attack_authority

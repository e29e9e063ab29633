#!/bin/bash
# attack_authority.sh BUILD SRC RAWCLIENT — issue 10, item 8,
# against the real broker, agent and authority tool:
#   8  a crash must not write a secret key to a core file: the broker and
#      a running `liaison listen` have a core size limit of 0 (soft and
#      hard), however high the limit they were started with;
set -u
BUILD=$1 SRC=$2 RAW=$3
. "$(dirname "$0")/lib.sh"

# Item 8 is only shown when the processes could dump: raise our soft
# limit as far as the hard one allows before anything starts.
ulimit -S -c unlimited 2>/dev/null || ulimit -S -c "$(ulimit -H -c)"
lia_exchange

# --- 8. no core files ---
no_core() { # no_core PID WHAT
	if grep -Eq '^Max core file size +0 +0 ' "/proc/$1/limits"; then ok; else
		bad "$2 may write a core file:"; grep 'core' "/proc/$1/limits" | sed 's/^/  | /'
	fi
}
no_core "$BPID" "the broker"
listen_bg valletta MT-AFM/valletta "$T/listen.json" 20
no_core "$LPID" "liaison listen"
kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null; LPID=

lia_done attack_authority

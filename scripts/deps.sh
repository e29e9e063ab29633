#!/bin/sh
# Installs the Debian packages Liaison needs, when they are missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu
PKGS="build-essential cmake pkg-config
 libzmq3-dev libsodium-dev libprotobuf-c-dev protobuf-c-compiler
 liblz4-dev libsqlite3-dev libcmocka-dev libyaml-dev libjansson-dev
 protobuf-compiler sqlite3 python3 python3-cryptography"
if [ "${LIA_WITH_CLANG:-0}" = 1 ]; then
	PKGS="$PKGS clang libclang-rt-14-dev"
fi
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "liaison: missing Debian packages:$missing" >&2
	echo "liaison: not root; run this, then try again:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "liaison: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null

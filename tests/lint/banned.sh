#!/bin/sh
# Fails when our C sources call functions STYLE.md bans: unbounded string
# functions, unchecked conversions. Generated code is not in the tree.
top=${1:-.}
pattern='\<(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|atoll|strtok|tmpnam|mktemp|alloca)[[:space:]]*\('
found=$(grep -rnE "$pattern" --include='*.c' --include='*.h' \
	"$top/core" "$top/certs" "$top/agent" "$top/policy" "$top/audit" \
	"$top/wire" "$top/store" "$top/broker" "$top/tests" "$top/bench" 2>/dev/null |
	grep -v 'banned.sh')
if [ -n "$found" ]; then
	echo "banned calls found:"
	echo "$found"
	exit 1
fi
echo "no banned calls"

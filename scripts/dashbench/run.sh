#!/bin/sh
# Times the executive read model (GET /api/v1/dashboard, the console
# overview; with -changes the executive report's figures) at a base commit
# and at this tree, alternately on one database, and checks that both
# return the same figures (scripts/dashbench/main.go).
#
# Usage: scripts/dashbench/run.sh DB_URL BASE_COMMIT [ROUNDS] [dashbench flags]
#   e.g. scripts/dashbench/run.sh 'postgres://postgres@127.0.0.1:5432/vw_dash_100k?sslmode=disable' 070de1c 5 -changes
# Each round runs the base build once, then this tree's once, both as of
# one instant (ASOF, default the start of the run). OUT moves the output
# directory.
set -eu
db=$1
base=$2
rounds=${3:-5}
shift $(( $# < 3 ? $# : 3 ))
out=${OUT:-/tmp/dashbench}
asof=${ASOF:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
mkdir -p "$out"
here=$(pwd)
tree="$out/base-tree"
rm -rf "$tree"
git worktree add --detach "$tree" "$base" >/dev/null 2>&1
mkdir -p "$tree/scripts/dashbench"
cp scripts/dashbench/main.go "$tree/scripts/dashbench/main.go"
(cd "$tree" && go build -o "$out/dashbench-base" ./scripts/dashbench)
git worktree remove --force "$tree"
cd "$here"
go build -o "$out/dashbench-head" ./scripts/dashbench
i=0
while [ "$i" -lt "$rounds" ]; do
	"$out/dashbench-base" -db "$db" -runs 1 -label base -out "$out/base.json" -as-of "$asof" "$@" | tail -1
	"$out/dashbench-head" -db "$db" -runs 1 -label head -out "$out/head.json" -as-of "$asof" "$@" | tail -1
	i=$((i + 1))
done
if diff "$out/base.json" "$out/head.json" >/dev/null; then
	echo "same figures"
else
	echo "FIGURES DIFFER: diff $out/base.json $out/head.json" >&2
	exit 1
fi

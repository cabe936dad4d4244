#!/bin/sh
# Interleaved benchmark of the audit workbook against two bare
# StreamWriters writing the same sheets, rows and columns: "baseline"
# (synthetic cells: a third strings, numbers, dates) and "typed" (per
# column the kind of cell the workbook has there, strings of its average
# length), plus "direct": the baseline saved as the workbook is
# (reports.SaveBook, the zip straight to the file instead of first into
# memory). One process per variant; peak RSS is VmHWM.
# Usage: scripts/reportbench/run.sh DB_URL REPS [extra flags]
# Prints one JSON line per run, plus user/sys CPU from /usr/bin/time.
set -eu
db=$1
reps=${2:-3}
shift 2 || true
bin=${BIN:-/tmp/reportbench}
tmp=${TMPDIR:-/tmp}
go build -o "$bin" ./scripts/reportbench
first=$("$bin" -db "$db" -mode report -out "$tmp/reportbench-shape.xlsx" "$@")
shape=$(echo "$first" | sed -n 's/.*"shape":"\([^"]*\)".*/\1/p')
typed=$(echo "$first" | sed -n 's/.*"typed_shape":"\([^"]*\)".*/\1/p')
i=0
while [ "$i" -lt "$reps" ]; do
	for mode in report baseline typed direct; do
		s=$shape
		m=$mode
		x=
		if [ "$mode" = typed ]; then s=$typed; m=baseline; fi
		if [ "$mode" = direct ]; then m=baseline; x=-direct; fi
		printf '{"variant":"%s"} ' "$mode"
		/usr/bin/time -f '{"cpu_user_s":%U,"cpu_sys_s":%S}' "$bin" -db "$db" -mode "$m" -shape "$s" \
			-out "$tmp/reportbench-$mode.xlsx" $x "$@" 2>&1 | sed 's/"shape":"[^"]*",//; s/"typed_shape":"[^"]*",//' | tr '\n' ' '
		echo
	done
	i=$((i + 1))
done

#!/bin/sh
# Interleaved benchmark of the audit workbook against a bare StreamWriter
# writing the same sheets, rows and columns (one process per variant; peak
# RSS is VmHWM). Usage: scripts/reportbench/run.sh DB_URL REPS [extra flags]
# Prints one JSON line per run, plus user/sys CPU from /usr/bin/time.
set -eu
db=$1
reps=${2:-3}
shift 2 || true
bin=${BIN:-/tmp/reportbench}
go build -o "$bin" ./scripts/reportbench
shape=$("$bin" -db "$db" -mode report -out /tmp/reportbench-shape.xlsx "$@" | sed -n 's/.*"shape":"\([^"]*\)".*/\1/p')
i=0
while [ "$i" -lt "$reps" ]; do
	for mode in report baseline; do
		/usr/bin/time -f '{"cpu_user_s":%U,"cpu_sys_s":%S}' "$bin" -db "$db" -mode "$mode" -shape "$shape" \
			-out "/tmp/reportbench-$mode.xlsx" "$@" 2>&1 | tr '\n' ' '
		echo
	done
	i=$((i + 1))
done

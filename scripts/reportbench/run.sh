#!/bin/sh
# Interleaved benchmark of the audit workbook against a bare StreamWriter
# writing the same cells ("baseline": the sheets, rows and columns of the
# workbook, per column its kinds of cell in their shares, strings of their
# average length, styled where the workbook styles them, the same share of
# rows with a height), plus "direct": the baseline saved as the workbook is
# (reports.SaveBook, the zip straight to the file instead of first into
# memory). A first report run, not counted, reads the shape back from its
# workbook. One process per variant; peak RSS is VmHWM.
# Usage: scripts/reportbench/run.sh DB_URL REPS [extra flags]
# Prints one JSON line per run, plus user/sys CPU from /usr/bin/time.
set -eu
db=$1
reps=${2:-3}
shift 2 || true
bin=${BIN:-/tmp/reportbench}
tmp=${TMPDIR:-/tmp}
go build -o "$bin" ./scripts/reportbench
first=$("$bin" -db "$db" -mode report -print-shape -out "$tmp/reportbench-shape.xlsx" "$@")
shape=$(echo "$first" | sed -n 's/.*"shape":"\([^"]*\)".*/\1/p')
echo "$first" | sed 's/^/{"variant":"shape"} /'
i=0
while [ "$i" -lt "$reps" ]; do
	for mode in report baseline direct; do
		m=$mode
		x=
		if [ "$mode" = direct ]; then m=baseline; x=-direct; fi
		printf '{"variant":"%s"} ' "$mode"
		/usr/bin/time -f '{"cpu_user_s":%U,"cpu_sys_s":%S}' "$bin" -db "$db" -mode "$m" -shape "$shape" \
			-out "$tmp/reportbench-$mode.xlsx" $x "$@" 2>&1 | sed 's/"shape":"[^"]*",//' | tr '\n' ' '
		echo
	done
	i=$((i + 1))
done

#!/bin/sh
# HTTP load benchmark of the vendor API against a bare net/http + pgx
# baseline doing the same work per request (the same statements, the same
# cached API-key check, the same response bodies), interleaved per scenario.
#
# Usage: scripts/loadbench/run.sh DB_URL [REPS] [DURATION] [extra loadbench flags]
#   e.g. scripts/loadbench/run.sh 'postgres://postgres@127.0.0.1:5432/vw_load?sslmode=disable' 2 10s
# VW_DEBUG_ADDR=127.0.0.1:6060 in the environment turns on the product's
# pprof listener for a profile during the run. BASELINE_CODEC=gojson has the
# baseline encode with the product's JSON library instead of encoding/json.
# Other VW_ variables reach the product too; VW_SCHEDULER defaults to off
# here (on: the audit log's sealer runs, as in production; set the other
# schedules out of the way). VW_BIN=path runs that product binary instead
# of building this tree's (e.g. another version's, for a before/after
# comparison).
# The database must exist; it is migrated, seeded with $VENDORS vendors
# (default 100000) and scanned (so open findings exist) when it has no
# vendors yet.
set -eu
db=$1
reps=${2:-2}
dur=${3:-10s}
shift $(( $# < 3 ? $# : 3 ))
out=${OUT:-/tmp/loadbench}
paddr=${PADDR:-127.0.0.1:18090} # product; PADDR, BADDR and OUT let two benchmarks share a machine
baddr=${BADDR:-127.0.0.1:18091} # baseline
mkdir -p "$out"
if [ -n "${VW_BIN:-}" ]; then
	cp "$VW_BIN" "$out/vendorwatch"
else
	go build -o "$out/vendorwatch" ./cmd/vendorwatch
fi
go build -o "$out/loadbench" ./scripts/loadbench

n=$(psql "$db" -Atc 'select count(*) from vendors' 2>/dev/null || echo 0)
if [ "${n:-0}" -eq 0 ]; then
	VW_RATE_LIMIT=0 "$out/vendorwatch" seed --vendors "${VENDORS:-100000}" --db "$db"
	psql "$db" -c ANALYZE
	"$out/vendorwatch" scan --db "$db" >/dev/null
	psql "$db" -c ANALYZE
fi

key=$("$out/vendorwatch" apikey create --name "loadbench-$(date +%s)" --role admin --db "$db" | tail -1)

VW_RATE_LIMIT=0 VW_DATA_DIR=${VW_DATA_DIR:-$out/data} VW_SCHEDULER=${VW_SCHEDULER:-off} VW_DB_MAX_CONNS=${VW_DB_MAX_CONNS:-32} VW_LOG_LEVEL=${VW_LOG_LEVEL:-error} \
	"$out/vendorwatch" serve --addr "$paddr" --db "$db" >"$out/product.log" 2>&1 &
ppid_=$!
"$out/loadbench" -mode baseline -addr "$baddr" -db "$db" -codec "${BASELINE_CODEC:-std}" -pool "${VW_DB_MAX_CONNS:-32}" >"$out/baseline.log" 2>&1 &
bpid=$!
trap 'kill $ppid_ $bpid 2>/dev/null || true; wait $ppid_ $bpid 2>/dev/null || true' EXIT INT TERM

for a in $paddr $baddr; do
	i=0
	until curl -s -o /dev/null "http://$a/api/v1/vendors/00000000-0000-0000-0000-000000000000"; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "server $a did not start" >&2; exit 1; }
		sleep 0.2
	done
done

echo "load before: $(uptime)" >&2
"$out/loadbench" -mode load -db "$db" -target "http://$paddr" -key "$key" -baseline "http://$baddr" \
	-target-pid $ppid_ -baseline-pid $bpid -reps "$reps" -duration "$dur" -conns 32 "$@"
echo "load after: $(uptime)" >&2

#!/bin/sh
# Load benchmark of the web console against the JSON API reading the same
# data, on one server, in the same run (scripts/consolebench/main.go).
#
# Usage: scripts/consolebench/run.sh DB_URL [REPS] [DURATION] [extra consolebench flags]
#   e.g. scripts/consolebench/run.sh 'postgres://postgres@127.0.0.1:5432/vw_console?sslmode=disable' 2 60s -scenarios overview
# The database must exist; it is migrated, seeded with $VENDORS vendors
# (default 100000), and scanned when it has no vendors yet; the
# daily risk snapshot job runs once when there is no snapshot of today. An
# executive user and API key are created for the run.
# ADDR and OUT move the server's port and the output directory; VW_BIN
# runs that product binary instead of building this tree's.
set -eu
db=$1
reps=${2:-2}
dur=${3:-30s}
shift $(( $# < 3 ? $# : 3 ))
out=${OUT:-/tmp/consolebench}
addr=${ADDR:-127.0.0.1:18190}
mkdir -p "$out"
if [ -n "${VW_BIN:-}" ]; then
	cp "$VW_BIN" "$out/vendorwatch"
else
	go build -o "$out/vendorwatch" ./cmd/vendorwatch
fi
go build -o "$out/consolebench" ./scripts/consolebench

n=$(psql "$db" -Atc 'select count(*) from vendors' 2>/dev/null || echo 0)
if [ "${n:-0}" -eq 0 ]; then
	VW_RATE_LIMIT=0 "$out/vendorwatch" seed --vendors "${VENDORS:-100000}" --db "$db"
	psql "$db" -c ANALYZE
	"$out/vendorwatch" scan --db "$db" >/dev/null
	psql "$db" -c 'VACUUM ANALYZE'
fi

stamp=$(date +%s)
email="consolebench-$stamp@example.com"
password="consolebench password $stamp"
echo "$password" | "$out/vendorwatch" user create --email "$email" --name "Console bench" --role executive --password-stdin --db "$db" >/dev/null
key=$("$out/vendorwatch" apikey create --name "consolebench-$stamp" --role executive --db "$db" | tail -1)

VW_RATE_LIMIT=0 VW_DATA_DIR=${VW_DATA_DIR:-$out/data} VW_SCHEDULER=off VW_DB_MAX_CONNS=${VW_DB_MAX_CONNS:-32} VW_LOG_LEVEL=${VW_LOG_LEVEL:-error} \
	"$out/vendorwatch" serve --addr "$addr" --db "$db" >"$out/server.log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null || true; wait $spid 2>/dev/null || true' EXIT INT TERM
i=0
until curl -s -o /dev/null "http://$addr/healthz"; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "server $addr did not start" >&2; exit 1; }
	sleep 0.2
done

# The trend needs a daily risk snapshot: the job that takes it, once.
if [ "$(psql "$db" -Atc 'select count(*) from risk_snapshots where taken_on = current_date')" -eq 0 ]; then
	admin=$("$out/vendorwatch" apikey create --name "consolebench-admin-$stamp" --role admin --db "$db" | tail -1)
	curl -s -o /dev/null -X POST -H "Authorization: Bearer $admin" "http://$addr/api/v1/jobs/risk_snapshot/run"
	until [ "$(psql "$db" -Atc 'select count(*) from risk_snapshots where taken_on = current_date')" -gt 0 ]; do sleep 1; done
	psql "$db" -c 'ANALYZE risk_snapshots'
fi

echo "load before: $(uptime)" >&2
"$out/consolebench" -target "http://$addr" -db "$db" -email "$email" -password "$password" -key "$key" \
	-reps "$reps" -duration "$dur" -conns 8 "$@"
echo "load after: $(uptime)" >&2

#!/usr/bin/env bash
# Times albcheck, ajv-cli 5 and a plain Node + ajv 8 script side by side on the
# same generated events, and checks that the schema albcheck prints gives ajv
# the same verdicts as albcheck on the conformance corpus and testdata/.
#
#   bench/compare.sh [N]     N events (default 10000), 5 runs each, best time
#
# Needs Go, Node.js and npm (it runs `npm ci` in bench/node). Writes to bench/out.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
runs=${RUNS:-5}
out=bench/out
mkdir -p "$out"

go build -o "$out/albcheck" ./cmd/albcheck
rm -rf "$out/events"
go run ./bench/genevents -n "$n" -seed 1 -o "$out/events"
(cd bench/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
"$out/albcheck" schema request --mode any >"$out/request.any.json"
"$out/albcheck" schema response --mode any >"$out/response.any.json"
"$out/albcheck" schema fixture >"$out/fixture.json"
"$out/albcheck" schema --formats >"$out/formats.json"
export ALBCHECK_FORMATS=$PWD/$out/formats.json
if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (for peak memory)" >&2
  apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }
fi

# measure LABEL CMD...: best wall time of $runs runs, and the peak RSS.
measure() {
  local label=$1; shift
  local best="" peak=0
  for _ in $(seq "$runs"); do
    local t0 t1 ms rss
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$out/rss" "$@" >/dev/null 2>"$out/stderr" || true
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    rss=$(cat "$out/rss" | tail -1)
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    if [ "$rss" -gt "$peak" ]; then peak=$rss; fi
  done
  printf '%-34s %6d ms   peak RSS %6d KB\n' "$label" "$best" "$peak"
  eval "result_${label//[^a-z]/_}=$best"
}

echo "$n events, $(du -sb "$out/events" | cut -f1) bytes; best of $runs runs; $(nproc) cores"
measure albcheck "$out/albcheck" validate -q "$out/events"
measure ajvcli node bench/node/node_modules/ajv-cli/dist/index.js validate \
  -s "$out/request.any.json" -d "$out/events/*.json" --spec=draft7 --strict=false -c ./bench/node/formats.js
measure nodeajv node bench/node/validate-all.js "$out/request.any.json" "$out/events"
awk -v a="$result_albcheck" -v c="$result_ajvcli" -v s="$result_nodeajv" 'BEGIN {
  printf "albcheck is %.2fx faster than ajv-cli; its time is %.2fx that of node+ajv\n", c / a, a / s }'

# Verdicts must agree (the checks albcheck makes outside the schema aside).
echo "verdict parity on ../shared/conformance and testdata/:"
dirs=(testdata)
[ -d ../shared/conformance ] && dirs+=(../shared/conformance)
"$out/albcheck" validate --format json "${dirs[@]}" >"$out/verdicts.json" || true
node bench/node/parity.js "$out" <"$out/verdicts.json"

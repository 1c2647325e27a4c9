#!/usr/bin/env bash
# Times albcheck, ajv-cli 5 and a plain Node + ajv 8 script side by side on the
# same generated events, and checks that the schema albcheck prints gives ajv
# the same verdicts as albcheck on the conformance corpus and testdata/.
#
#   bench/compare.sh [N]     N files per corpus (default 10000), RUNS rounds (default 5)
#
# Two corpora: events from bench/genevents (clean) and copies of an event
# shaped like AWS's sample (bench/genevents -sample: warnings), each also
# read by bench/readfloor, which only reads the files: the floor.
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

# Each command runs once per round, all commands in turn, $runs rounds: the
# machine's noise falls on all of them alike. Reported: the median wall time
# and the highest peak RSS.
declare -A times peaks
run_once() { # KEY CMD...
  local key=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$out/rss" "$@" >/dev/null 2>"$out/stderr" || true
  t1=$(date +%s%N)
  times[$key]+="$(( (t1 - t0) / 1000000 )) "
  local rss; rss=$(tail -1 "$out/rss")
  if [ "${peaks[$key]:-0}" -lt "$rss" ]; then peaks[$key]=$rss; fi
}
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }

go build -o "$out/readfloor" ./bench/readfloor
rm -rf "$out/samples"
go run ./bench/genevents -n "$n" -seed 1 -sample -o "$out/samples"
for corpus in events samples; do
  for _ in $(seq "$runs"); do
    run_once "$corpus/albcheck" "$out/albcheck" validate -q "$out/$corpus"
    run_once "$corpus/ajvcli" node bench/node/node_modules/ajv-cli/dist/index.js validate \
      -s "$out/request.any.json" -d "$out/$corpus/*.json" --spec=draft7 --strict=false -c ./bench/node/formats.js
    run_once "$corpus/nodeajv" node bench/node/validate-all.js "$out/request.any.json" "$out/$corpus"
    run_once "$corpus/readfloor" "$out/readfloor" "$out/$corpus"
  done
done

echo "$n files per corpus; median of $runs interleaved rounds; $(nproc) cores"
printf '%-10s %-10s %9s %12s\n' corpus command "time ms" "peak RSS KB"
for corpus in events samples; do
  for cmd in albcheck nodeajv ajvcli readfloor; do
    m=$(median "${times[$corpus/$cmd]}")
    eval "med_${corpus}_${cmd}=$m"
    printf '%-10s %-10s %9d %12d\n' "$corpus" "$cmd" "$m" "${peaks[$corpus/$cmd]}"
  done
done
for corpus in events samples; do
  eval "a=\$med_${corpus}_albcheck s=\$med_${corpus}_nodeajv c=\$med_${corpus}_ajvcli f=\$med_${corpus}_readfloor"
  awk -v corpus="$corpus" -v a="$a" -v c="$c" -v s="$s" -v f="$f" 'BEGIN {
    printf "%s: albcheck takes %.2fx the time of node+ajv (goal <= 0.5), is %.2fx faster than ajv-cli (goal >= 3), %.2fx the read floor\n", corpus, a / s, c / a, a / f }'
done

# Verdicts must agree (the checks albcheck makes outside the schema aside).
echo "verdict parity on ../shared/conformance and testdata/:"
dirs=(testdata)
[ -d ../shared/conformance ] && dirs+=(../shared/conformance)
"$out/albcheck" validate --format json "${dirs[@]}" >"$out/verdicts.json" || true
node bench/node/parity.js "$out" <"$out/verdicts.json"

#!/usr/bin/env bash
# Measures albcheck serve beside serverless-offline on the same machine, in
# the same run: one Node.js handler (bench/sls/handler.js, a trivial one and
# one that sleeps 50 ms) behind both, loaded by wrk at 1, 8 and 64 clients,
# in interleaved rounds, medians reported. albcheck with Go functions
# (examples/orders, serve/testdata/sleepfn) is measured for reference.
#   bench/serve.sh [ROUNDS [SECONDS [ALBCHECK-ARGS]]]
#       ROUNDS of every measurement (default 3), SECONDS of wrk each
#       (default 2); ALBCHECK-ARGS for every albcheck serve, such as
#       "--max-concurrency 64"
# Needs Go, Node.js 20, npm (it runs `npm ci` in bench/sls: serverless 3,
# which runs offline without a login, and serverless-offline 13, which serves
# alb events) and wrk (Debian's package, installed here when missing and
# this runs as root).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-2}
extra=${3:-}
if ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
(cd bench/sls && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
mkdir -p bin
go build -o bin/albcheck ./cmd/albcheck
go build -o bin/orders ./examples/orders
go build -o bin/sleepfn ./serve/testdata/sleepfn
uptime
go run ./bench/servebench -albcheck bin/albcheck -sls bench/sls -orders bin/orders -sleepfn bin/sleepfn \
  -rounds "$rounds" -d "$secs" -albcheck-args "$extra"
uptime

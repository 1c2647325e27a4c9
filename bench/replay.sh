#!/usr/bin/env bash
# Measures albcheck replay against a bare Runtime API loop and the Runtime
# Interface Emulator on the same function binary (examples/orders).
#   bench/replay.sh [N [ROUNDS [BASELINE]]]
#       N invocations per measurement (default 5000), ROUNDS interleaved rounds,
#       medians reported (default 5); BASELINE, a git revision whose albcheck is
#       measured in the same rounds, to compare a change with (e.g. HEAD~3)
# albcheck serve is loaded with wrk (Debian's package, installed here when
# missing and this runs as root); without it, with Go clients in-process.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}
rounds=${2:-5}
baseline=${3:-}
if ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null || echo "could not install wrk; serve is loaded from Go clients"
fi
mkdir -p bin
go build -o bin/orders ./examples/orders
go build -o bin/albcheck ./cmd/albcheck
GOBIN="$PWD/bin" go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
base_flag=()
if [ -n "$baseline" ]; then
  tree=$(mktemp -d)
  git archive "$baseline" | tar -x -C "$tree"
  (cd "$tree" && go build -o "$OLDPWD/bin/albcheck-baseline" ./cmd/albcheck)
  rm -rf "$tree"
  base_flag=(-baseline bin/albcheck-baseline)
fi
go run ./bench/replaybench -fn bin/orders -albcheck bin/albcheck -rie bin/aws-lambda-rie -n "$n" -rounds "$rounds" "${base_flag[@]}"

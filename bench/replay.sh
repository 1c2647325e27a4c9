#!/usr/bin/env bash
# Measures albcheck replay against a bare Runtime API loop and the Runtime
# Interface Emulator on the same function binary (examples/orders).
#   bench/replay.sh [N [ROUNDS]]   N invocations per measurement (default 5000),
#                                  ROUNDS interleaved rounds, medians reported (default 5)
# albcheck serve is loaded with wrk (Debian's package, installed here when
# missing and this runs as root); without it, with Go clients in-process.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}
rounds=${2:-5}
if ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null || echo "could not install wrk; serve is loaded from Go clients"
fi
mkdir -p bin
go build -o bin/orders ./examples/orders
go build -o bin/albcheck ./cmd/albcheck
GOBIN="$PWD/bin" go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
go run ./bench/replaybench -fn bin/orders -albcheck bin/albcheck -rie bin/aws-lambda-rie -n "$n" -rounds "$rounds"

#!/usr/bin/env bash
# Measures albcheck replay against a bare Runtime API loop and the Runtime
# Interface Emulator on the same function binary (examples/orders).
#   bench/replay.sh [N]     N invocations per measurement (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}
mkdir -p bin
go build -o bin/orders ./examples/orders
go build -o bin/albcheck ./cmd/albcheck
GOBIN="$PWD/bin" go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
go run ./bench/replaybench -fn bin/orders -albcheck bin/albcheck -rie bin/aws-lambda-rie -n "$n"

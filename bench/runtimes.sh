#!/usr/bin/env bash
# Measures a trivial Node.js and Python handler (bench/runtimes) run three
# ways: a bare Runtime API loop in its own language, albcheck replay
# --runtime, and albcheck replay --exec (a process per event).
#   bench/runtimes.sh [N [EXEC_N [ROUNDS]]]
#       N invocations per warm measurement (default 2000), EXEC_N per --exec
#       measurement (default 100), ROUNDS interleaved rounds, medians
#       reported (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
exec_n=${2:-100}
rounds=${3:-5}
mkdir -p bin
go build -o bin/albcheck ./cmd/albcheck
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
go run ./bench/runtimebench -albcheck bin/albcheck -n "$n" -exec-n "$exec_n" -rounds "$rounds"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"

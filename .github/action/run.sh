#!/usr/bin/env bash
# The GitHub Action's one step (action.yml): install albcheck with the Go
# toolchain the runner has, then run the command with --format github so
# that findings annotate the pull request. Inputs come as INPUT_* variables;
# nothing is evaluated by a shell (lists are split on white space only).
set -euo pipefail

: "${GITHUB_ACTION_PATH:?run by GitHub Actions, or set GITHUB_ACTION_PATH to the folder of action.yml}"
bin_dir="${RUNNER_TEMP:-$(mktemp -d)}/albcheck-bin"
mkdir -p "$bin_dir"

if ! command -v go >/dev/null; then
  echo "::error title=albcheck::Go is not installed on this runner: add actions/setup-go before this step"
  exit 2
fi

if [ -n "${INPUT_VERSION:-}" ]; then
  # A released version, from the module proxy.
  GOBIN="$bin_dir" go install "github.com/albcheck/albcheck/cmd/albcheck@${INPUT_VERSION}"
else
  # The action's own version: the source GitHub checked out for this step.
  (cd "$GITHUB_ACTION_PATH" && go build -o "$bin_dir/albcheck" ./cmd/albcheck)
fi

command=${INPUT_COMMAND:-validate}
case "$command" in
  validate | replay | infra) ;;
  *)
    echo "::error title=albcheck::unknown command '$command' (want validate, replay or infra)"
    exit 2
    ;;
esac

args=("$command" --format github)
if [ -n "${INPUT_MODE:-}" ] && [ "$command" != infra ]; then
  args+=(--mode "$INPUT_MODE")
fi
case "${INPUT_STRICT:-false}" in
  true) args+=(--strict) ;;
  false | "") ;;
  *)
    echo "::error title=albcheck::strict must be true or false, got '${INPUT_STRICT}'"
    exit 2
    ;;
esac
if [ -n "${INPUT_INFRA:-}" ] && [ "$command" != infra ]; then
  read -r -d '' -a infra <<<"$INPUT_INFRA" || true
  for f in "${infra[@]}"; do
    args+=(--infra "$f")
  done
fi
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -d '' -a extra <<<"$INPUT_ARGS" || true
  args+=("${extra[@]}")
fi
read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
if [ "$command" = infra ] && [ -n "${INPUT_INFRA:-}" ] && [ "${INPUT_PATHS:-.}" = . ]; then
  read -r -d '' -a paths <<<"$INPUT_INFRA" || true
fi
args+=("${paths[@]}")

echo "albcheck ${args[*]}"
exec "$bin_dir/albcheck" "${args[@]}"

#!/usr/bin/env bash
# `npm test`: the lint beside the build and the unit specs, then the integration specs alone.
# Each of lint, build and unit specs is one single-threaded process, so on two cores the lint costs no wall time
# next to the other two; the integration specs start only once all three passed, with the machine to themselves,
# so that no timing of theirs is disturbed. The lint's output is printed when it ends; any failure fails the run.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

lint_log=$(mktemp)
trap 'rm -f "$lint_log"' EXIT
npm run --silent lint > "$lint_log" 2>&1 &
lint_pid=$!

npm run build && npm run test:unit
unit=$?
wait "$lint_pid"
lint=$?
echo "--- npm run lint (ran beside the build and the unit specs): exit $lint"
cat "$lint_log"
if [ "$lint" -ne 0 ] || [ "$unit" -ne 0 ]; then
  echo "npm test: stopped before the integration specs (lint exit $lint, build and unit specs exit $unit)" >&2
  exit 1
fi
npm run test:integration

#!/usr/bin/env bash
# Run `make test` several times in a row while a CPU hog keeps every core busy:
# the suite must pass on a loaded machine (no wall-clock asserts, no sleeps, browser
# tests that wait for states). Usage: bench/busy_suite.sh [RUNS]  (default 5).
# Each run's log goes to test-artifacts/busy-run-N.log; the summary to stdout.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
mkdir -p test-artifacts

hogs=()
stop_hogs() { ((${#hogs[@]})) && kill "${hogs[@]}" 2>/dev/null; wait 2>/dev/null; }
trap stop_hogs EXIT
if command -v stress-ng >/dev/null; then
  stress-ng --cpu "$(nproc)" --quiet &
  hogs+=($!)
else
  for _ in $(seq "$(nproc)"); do
    (while :; do :; done) &
    hogs+=($!)
  done
fi
echo "CPU hog on $(nproc) cores; $runs runs of make test"

failed=0
for run in $(seq "$runs"); do
  start=$(date +%s)
  if make test >"test-artifacts/busy-run-$run.log" 2>&1; then result=passed; else result=FAILED; failed=1; fi
  summary=$(grep -E '^=+ .*(passed|failed|error).* =+$' "test-artifacts/busy-run-$run.log" | tail -n 1)
  echo "run $run: $result in $(( $(date +%s) - start )) s  $summary"
done
exit $failed

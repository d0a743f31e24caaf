#!/usr/bin/env bash
# fuzz.sh DURATION runs every Fuzz target of the module for DURATION each,
# FUZZJOBS targets at a time (default 2, each with one fuzzing worker:
# building the instrumented test binaries, not fuzzing, is most of the
# time of a brief run, and builds of two targets overlap well).
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10s}
jobs=${FUZZJOBS:-2}
workers=1
if [ "$jobs" -eq 1 ]; then workers=2; fi

run_one() {
  local pkg=$1 name=$2 log
  log=$(mktemp)
  echo "fuzz: $pkg $name ($dur)"
  for attempt in 1 2; do
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$dur" -parallel "$workers" "$pkg" >"$log" 2>&1; then
      rm -f "$log"
      return 0
    fi
    # Go's fuzzing coordinator sometimes reports "context deadline
    # exceeded" when the time is up while a worker is slow to stop (a
    # loaded machine). That is no finding: nothing was written to
    # testdata/fuzz. Try once more; a real failure names its input.
    if grep -q 'Failing input written' "$log" || ! grep -q 'context deadline exceeded' "$log"; then
      break
    fi
    echo "fuzz: $name: the fuzzer stopped late (context deadline exceeded, no failing input); running it again"
  done
  echo "fuzz: FAILED $pkg $name:"
  cat "$log"
  rm -f "$log"
  return 1
}
export -f run_one
export dur workers

grep -rHE '^func Fuzz[A-Za-z0-9_]*\(' --include='*_test.go' . | grep -v -e '^./interop/' -e '/node_modules/' | sort |
  sed -E 's/^(.*)\/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*).*/\1 \2/' |
  xargs -P "$jobs" -n 2 bash -c 'run_one "$@"' _ && exit 0
echo "fuzz: some targets failed (see FAILED above)" >&2
exit 1

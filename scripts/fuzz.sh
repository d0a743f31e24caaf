#!/usr/bin/env bash
# fuzz.sh DURATION runs every Fuzz target of the module for DURATION each.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10s}
fails=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/^.*func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")
  pkg=./$(dirname "$file")
  echo "fuzz: $pkg $name ($dur)"
  ok=0
  for attempt in 1 2; do
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$dur" "$pkg" >"$log" 2>&1; then
      ok=1
      break
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
  if [ "$ok" -ne 1 ]; then
    cat "$log"
    fails=$((fails + 1))
  fi
done < <(grep -rHE '^func Fuzz[A-Za-z0-9_]*\(' --include='*_test.go' . | grep -v '^./interop/' | sort)
if [ "$fails" -ne 0 ]; then
  echo "fuzz: $fails target(s) failed" >&2
  exit 1
fi

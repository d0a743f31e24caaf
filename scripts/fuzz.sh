#!/usr/bin/env bash
# fuzz.sh DURATION runs every Fuzz target of the module for DURATION each.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10s}
fails=0
while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/^.*func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")
  pkg=./$(dirname "$file")
  echo "fuzz: $pkg $name ($dur)"
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$dur" "$pkg" >/tmp/thaitrust-fuzz.log 2>&1; then
    cat /tmp/thaitrust-fuzz.log
    fails=$((fails + 1))
  fi
done < <(grep -rHE '^func Fuzz[A-Za-z0-9_]*\(' --include='*_test.go' . | grep -v '^./interop/' | sort)
if [ "$fails" -ne 0 ]; then
  echo "fuzz: $fails target(s) failed" >&2
  exit 1
fi

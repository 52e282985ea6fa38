#!/usr/bin/env bash
# Runs the test suite on a busy machine: one CPU burner per core beside `npm test`, as on a shared CI host.
#   bench/loaded-tests.sh                               the whole suite
#   bench/loaded-tests.sh test/crash-safety.test.ts     arguments go to vitest
# Exits with npm test's code. The burners are ended by their PIDs, whatever way the script ends.
set -u
cd "$(dirname "$0")/.."

burners=()
stop_burners() {
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${burners[@]}"; do wait "$pid" 2>/dev/null; done
}
trap stop_burners EXIT
trap 'exit 130' INT TERM

cores=$(node -e 'console.log(require("node:os").availableParallelism())')
for _ in $(seq "$cores"); do
  node -e 'for (;;) {}' &
  burners+=("$!")
done
echo "loaded-tests: ${cores} CPU burners (PIDs ${burners[*]}) beside npm test $*"

start=$(date +%s)
npm test -- "$@"
code=$?
echo "loaded-tests: npm test exited with ${code} after $(( $(date +%s) - start )) s under load"
exit "$code"

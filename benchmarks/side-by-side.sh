#!/usr/bin/env bash
# Runs the process backend and Python's multiprocessing side by side on this machine, each
# measurement alternating between the two, and prints a table with the ratios.
#   benchmarks/side-by-side.sh [rounds]        (default 10; needs python3)
# Every measurement runs the given number of rounds on each side and reports the median; the
# JVM's first rounds include its JIT warming up (Python has none), so both medians count them.
set -euo pipefail
cd "$(dirname "$0")/.."
. .mvn/jdk.sh
rounds=${1:-10}
jar=benchmarks/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests
fi
command -v python3 >/dev/null || { echo "python3 is needed for the comparison" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for what in map map1 queue start; do
  echo "== $what" >&2
  "$JAVA_HOME/bin/java" -cp "$jar" dev.multiproc.benchmarks.SideBySide "$rounds" "$what" | sed 's/^RESULT /RESULT java-/' | tee -a "$out" >&2
  python3 benchmarks/python/mp_side_by_side.py "$rounds" "$what" | sed 's/^RESULT /RESULT python-/' | tee -a "$out" >&2
done
echo
echo "machine: $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(python3 --version)"
echo
printf '| measurement | multiproc process (median) | Python multiprocessing (median) | ratio |\n|---|---|---|---|\n'
awk '
  /^RESULT/ { split($2, k, "-"); side = k[1]; name = substr($2, length(side) + 2); med[side, name] = $3; unit[name] = $5 }
  END {
    n = split("map map1 queue", names, " ")
    for (i = 1; i <= n; i++) {
      m = names[i]
      printf "| %s | %.0f %s | %.0f %s | %.1fx |\n", m, med["java", m], unit[m], med["python", m], unit[m], med["java", m] / med["python", m]
    }
    printf "| bare JVM start-and-echo | %.1f ms | | |\n", med["java", "start-echo"]
    printf "| process-backend pool ready | %.1f ms | | %.2fx the JVM floor |\n", med["java", "start-ready"], med["java", "start-ready"] / med["java", "start-echo"]
    printf "| process-backend first result | %.1f ms | | %.2fx the JVM floor |\n", med["java", "start-first-result"], med["java", "start-first-result"] / med["java", "start-echo"]
    printf "| Python spawn start-and-echo | | %.1f ms | |\n", med["python", "start-spawn-echo"]
  }' "$out"

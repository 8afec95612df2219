#!/usr/bin/env bash
# Runs the process backend and Python's multiprocessing side by side on this machine, one
# measurement at a time, alternating between the two, and prints a table with the ratios, the
# targets of issue 9 and the raw Java floors.
#   benchmarks/side-by-side.sh [measurement...]        (default: all; needs python3)
# The jar is rebuilt from this checkout first (SKIP_BUILD=1 uses the one there is; JAR=path picks another).
# It also draws the table as a chart, multiproc ÷ Python per row on a log scale (SideBySideChart,
# JFreeChart): CHART=path.png (default benchmarks/target/side-by-side.png), and keeps the raw RESULT
# lines beside it (path.txt). The Java side shows each measurement's rounds on stderr.
# Measurements: map-warm map-long map-first map1 map-lists map-records imap submit queue queue-bounded queue-to-child queue-to-2 joinable pipe pipe-to-child queue-1k queue-1m pingpong pingpong-long pipe-pingpong start-join
# start-join-paced script;
# the floors (Java only) always run. See SideBySide.java and python/mp_side_by_side.py.
set -euo pipefail
cd "$(dirname "$0")/.."
. .mvn/jdk.sh
jar=${JAR:-benchmarks/target/benchmarks.jar}
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  ./mvnw -q -o -pl benchmarks -am package -DskipTests >&2
fi
command -v python3 >/dev/null || { echo "python3 is needed for the comparison" >&2; exit 1; }
rows=(map-warm map-long map-first map1 map-lists map-records imap submit queue queue-bounded queue-to-child queue-to-2 joinable pipe pipe-to-child queue-1k queue-1m pingpong pingpong-long pipe-pingpong start-join start-join-paced script)
[ $# -gt 0 ] && rows=("$@")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for what in "${rows[@]}"; do
  echo "== $what" >&2
  "$JAVA_HOME/bin/java" -cp "$jar" dev.multiproc.benchmarks.SideBySide "$what" | sed 's/^RESULT /RESULT java /' | tee -a "$out" >&2
  if [ "$what" = start-join ]; then
    python3 benchmarks/python/mp_side_by_side.py start-join start-join-spawn | sed 's/^RESULT /RESULT python /' | tee -a "$out" >&2
  else
    python3 benchmarks/python/mp_side_by_side.py "$what" | sed 's/^RESULT /RESULT python /' | tee -a "$out" >&2
  fi
done
chart=${CHART:-benchmarks/target/side-by-side.png}
echo "== floors" >&2
"$JAVA_HOME/bin/java" -cp "$jar" dev.multiproc.benchmarks.SideBySide floor-jvm-start floor-jvm-exit floor-pipe-msgs floor-pipe-mb floor-pipe-4k floor-rtt \
  | sed 's/^RESULT /RESULT java /' | tee -a "$out" >&2
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); $(python3 --version)"
echo "command: benchmarks/side-by-side.sh $*"
mkdir -p "$(dirname "$chart")"
cat "$out" > "${chart%.png}.txt"
"$JAVA_HOME/bin/java" -Djava.awt.headless=true -cp "$jar" dev.multiproc.benchmarks.SideBySideChart "$out" "$chart" \
  "$(date -u '+%Y-%m-%d'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | cut -d'"' -f2) vs $(python3 --version)" \
  && echo "chart: $chart (raw results: ${chart%.png}.txt)"
echo
printf '| path (process backend vs Python) | Python | multiproc | ratio | target | met |\n|---|---|---|---|---|---|\n'
awk '
  function fmt(v, u) {
    if (u == "items/s" || u == "messages/s") {
      if (v >= 1e6) return sprintf("%.2f M/s", v / 1e6)
      return sprintf("%.1f k/s", v / 1e3)
    }
    if (u == "MB/s") return sprintf("%.0f MB/s", v)
    if (u == "us") return sprintf("%.1f µs", v)
    return sprintf("%.1f ms", v)
  }
  /^RESULT/ { val[$2, $3] = $4; unit[$3] = $5 }
  END {
    n = split("map-warm|map-long|map-first|map1|map-lists|map-records|imap|submit|queue|queue-bounded|queue-to-child|queue-to-2|joinable|pipe|pipe-to-child|queue-1k|queue-1m|pingpong|pingpong-long|pipe-pingpong|start-join|start-join-paced|script", keys, "|")
    label["map-warm"] = "`Pool(2).map(x -> x * x, 100,000 ints)`, best of 5 after 2 warm-ups"
    label["map-long"] = "the same map at its peak: the last 20 of 150 maps on one pool"
    label["map-first"] = "the first map of a fresh `Pool(2)` (median of 5 pools)"
    label["map1"] = "the same map, chunk size 1 (20,000 ints)"
    label["map-lists"] = "`Pool(2).map` over 100,000 `List.of(i, i + 1, i + 2)` (Python: lists), summing each"
    label["map-records"] = "`Pool(2).map` over 100,000 records of two ints and a string (Python: dataclasses)"
    label["imap"] = "`Pool(2).imap(x -> x * x, 20,000 ints)`, default chunk size (1), to the end"
    label["submit"] = "`Pool(2).submit(() -> 1).get()` (Python: `apply_async`), one at a time"
    label["queue"] = "`Queue()`: child puts 200,000 ints, parent gets"
    label["queue-bounded"] = "`Queue(10,000)`: child puts 200,000 ints, parent gets"
    label["queue-to-child"] = "`Queue()`: parent puts 200,000 ints, a child gets"
    label["queue-to-2"] = "the same, two children get"
    label["pipe"] = "`Pipe()`: child sends 200,000 ints, parent receives"
    label["pipe-to-child"] = "`Pipe()`: parent sends 200,000 ints, a child receives"
    label["joinable"] = "`JoinableQueue()`: parent puts 200,000 ints, a child gets and calls `taskDone()`, until `join()`"
    label["queue-1k"] = "`Queue(10,000)`, 1 KiB `byte[]` items"
    label["queue-1m"] = "`Queue(16)`, 1 MiB `byte[]` items"
    label["pingpong"] = "ping-pong over two Queues, parent ↔ child"
    label["pingpong-long"] = "the same at its steady state: the last 5 of 20 × 2,000 round trips"
    label["pipe-pingpong"] = "ping-pong over a `Pipe`, parent ↔ child (Python: a direct pipe between the two)"
    label["start-join"] = "`worker(() -> {}).start()` + `join()`, back to back"
    label["start-join-paced"] = "the same, one a second (a spare is ready)"
    label["script"] = "a whole short script, start to exit: open, `Pool(2).map` of 100,000 ints, close"
    target["map-warm"] = 2; target["map-long"] = 0; target["map-first"] = 1; target["map1"] = 10; target["map-lists"] = 0; target["map-records"] = 0; target["imap"] = 0; target["submit"] = 0; target["queue"] = 0; target["queue-to-child"] = 0; target["queue-to-2"] = 0; target["joinable"] = 0; target["pipe"] = 0; target["pipe-to-child"] = 0
    target["queue-bounded"] = 5; target["queue-1k"] = 3; target["queue-1m"] = 1.5
    for (i = 1; i <= n; i++) {
      k = keys[i]
      if (!((("java", k) in val) && (("python", k) in val))) continue
      j = val["java", k]; p = val["python", k]; u = unit[k]
      lower = (u == "us" || u == "ms")
      ratio = lower ? p / j : j / p
      py = fmt(p, u)
      if (k == "start-join") py = py " (fork), " fmt(val["python", "start-join-spawn"], u) " (spawn)"
      if (k == "pingpong") { tgt = "≤ 22 µs"; met = j <= 22 }
      else if (k == "pingpong-long" || k == "submit" || k == "pipe-pingpong") { tgt = "(reference)"; met = -1 }
      else if (k ~ /^start-join/) { tgt = "≤ 15 ms"; met = j <= 15 }
      else if (k == "script") { tgt = "(reference)"; met = -1 }
      else if (k == "queue-1m") { tgt = "≥ 1.5×, ≥ 1 GB/s"; met = ratio >= 1.5 && j >= 1000 }
      else if (target[k] == 0) { tgt = "(reference)"; met = -1 }
      else { tgt = "≥ " target[k] "×"; met = ratio >= target[k] }
      printf "| %s | %s | %s | %.2f× | %s | %s |\n", label[k], py, fmt(j, u), ratio, tgt, met < 0 ? "" : met ? "yes" : "**no**"
    }
    print ""
    print "| raw Java floor (no library) | value |"
    print "|---|---|"
    printf "| bare JVM start-and-echo | %s |\n", fmt(val["java", "floor-jvm-start"], "ms")
    printf "| bare JVM start + exit | %s |\n", fmt(val["java", "floor-jvm-exit"], "ms")
    printf "| child writes 20-byte messages, one `write` each | %s |\n", fmt(val["java", "floor-pipe-msgs"], "messages/s")
    printf "| child writes 1 MiB pieces | %s |\n", fmt(val["java", "floor-pipe-mb"], "MB/s")
    printf "| child writes 4 KiB pieces (the PIPE_BUF frames of the channel) | %s |\n", fmt(val["java", "floor-pipe-4k"], "MB/s")
    printf "| one-byte round trip through a child stdin/stdout | %s |\n", fmt(val["java", "floor-rtt"], "us")
  }' "$out"

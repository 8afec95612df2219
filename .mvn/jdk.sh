# shellcheck shell=sh
# Sourced (not executed) by ./mvnw and bin/* so that Maven, the tests, the examples and the child
# JVMs all run on one JDK 21 or newer, even where the machine's default `java` is older.
# Order: $JAVA_HOME if it is 21+, else the `javac` on PATH if it is 21+, else the newest JDK 21+
# under /usr/lib/jvm (Linux) or /Library/Java/JavaVirtualMachines (macOS). Exports JAVA_HOME.

multiproc_jdk_feature() { # prints the feature release of the JDK at $1 (e.g. 25), or nothing
  [ -x "$1/bin/javac" ] && [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

multiproc_find_jdk() {
  multiproc_min=21
  if [ -n "${JAVA_HOME-}" ]; then
    v=$(multiproc_jdk_feature "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$multiproc_min" ]; then return 0; fi
  fi
  if command -v javac >/dev/null 2>&1; then
    home=$(cd "$(dirname "$(readlink -f "$(command -v javac)")")/.." && pwd)
    v=$(multiproc_jdk_feature "$home")
    if [ -n "$v" ] && [ "$v" -ge "$multiproc_min" ]; then JAVA_HOME=$home; export JAVA_HOME; return 0; fi
  fi
  best= best_v=0
  for home in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$home" ] || continue
    v=$(multiproc_jdk_feature "$home")
    if [ -n "$v" ] && [ "$v" -ge "$multiproc_min" ] && [ "$v" -gt "$best_v" ]; then best=$home best_v=$v; fi
  done
  if [ -n "$best" ]; then JAVA_HOME=$best; export JAVA_HOME; return 0; fi
  echo "multiproc needs a JDK $multiproc_min or newer, and none was found." >&2
  echo "Looked at JAVA_HOME (${JAVA_HOME:-unset}), the javac on PATH, and /usr/lib/jvm." >&2
  echo "Install one (e.g. Temurin 21 or 25) and set JAVA_HOME to it." >&2
  return 1
}

multiproc_find_jdk

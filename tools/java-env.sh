# Sourced by run-local.sh, run-tests.sh and .ci/run: picks a JDK 21+ for Maven.
# Uses JAVA_HOME when it is 21 or newer, else the newest JDK found under /usr/lib/jvm
# (Debian's default java is 17 on our machines; a Temurin 25 sits beside it).
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME" 2>/dev/null || echo 0)" -lt 21 ] 2>/dev/null; then
  best=""; best_major=0
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] || continue
    major=$(java_major "$candidate" 2>/dev/null || echo 0)
    if [ "${major:-0}" -gt "$best_major" ]; then best="$candidate"; best_major=$major; fi
  done
  if [ "$best_major" -lt 21 ]; then
    echo "Ovis Serve needs JDK 21 or newer: set JAVA_HOME to one." >&2
    exit 1
  fi
  export JAVA_HOME="$best"
fi
export PATH="$JAVA_HOME/bin:$PATH"

#!/usr/bin/env bash
# Runs one of the benchmark mains of conformance-tests (shared by issuance.sh and ocsp.sh):
# builds the module and what it depends on from this tree (-am; SKIP_BUILD=1 to reuse the last
# build), makes a throw-away SoftHSM2 token directory and java.io.tmpdir, records the machine, and
# runs `java <the PKCS#11 export flags> $BENCH_PROPS -Dbench.out=target/bench/NAME.md -cp <test
# classpath> CLASS`. The embedded MariaDB's data directory is conformance-tests/target/bench-work.
#
#   main.sh CLASS NAME [STDERR_FILTER]     STDERR_FILTER: a grep -v pattern for noise on stderr
set -euo pipefail
CLASS=$1
NAME=$2
FILTER=${3:-}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
MODULE=conformance-tests
OUT=$ROOT/$MODULE/target/bench
MVN_ARGS=${MVN_ARGS--o}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # -am: ra-api, ocsp-responder, ca-core (and the test-jars' classes: TestDatabase), hsm-config come from this tree.
  ./mvnw -q -B $MVN_ARGS -pl $MODULE -am test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
fi
CP="$ROOT/$MODULE/target/test-classes:$ROOT/$MODULE/target/classes:$(cat "$ROOT/$MODULE/target/bench.classpath")"

# A throw-away SoftHSM2 token directory and temporary files for this run.
WORK=$(mktemp -d -t "eidpki-$NAME-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export SOFTHSM2_CONF=$WORK/softhsm2.conf
DBWORK=$ROOT/$MODULE/target/bench-work
mkdir -p "$OUT" "$DBWORK"

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
FLAGS=(--add-modules=jdk.crypto.cryptoki
       --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED
       --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11=ALL-UNNAMED
       -Djava.io.tmpdir="$WORK"
       -Deidpki.test.workdir="$DBWORK"
       -Dlogback.configurationFile="$ROOT/$MODULE/bench/logback-bench.xml")

echo "== machine"
{
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "java: $("$JAVA" -version 2>&1 | head -1)"
  echo "softhsm2: $(softhsm2-util --version 2>/dev/null || echo unknown)"
  echo "disk: $(df -hT "$DBWORK" | tail -1)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

echo "== java ${FLAGS[*]} ${BENCH_PROPS:-} -cp \$CP $CLASS"
if [[ -n "$FILTER" ]]; then
  # shellcheck disable=SC2086
  "$JAVA" "${FLAGS[@]}" ${BENCH_PROPS:-} -Dbench.out="$OUT/$NAME.md" -cp "$CP" "$CLASS" \
      2> >(grep --line-buffered -v "$FILTER" >&2)
else
  # shellcheck disable=SC2086
  "$JAVA" "${FLAGS[@]}" ${BENCH_PROPS:-} -Dbench.out="$OUT/$NAME.md" -cp "$CP" "$CLASS"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

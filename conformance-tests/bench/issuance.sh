#!/usr/bin/env bash
# End-to-end issuance through the RA API (HTTPS with client certificates, CSR checks, durable
# commit, token signature) with 2, 4, 8, 16 clients, beside the raw signing rate of the same
# Citizen CA key (P-384) and the commit rate of the same MariaDB, in one run
# (tw.eid.pki.bench.IssuanceBenchmark, a main: `mvn test` does not run it).
#
#   conformance-tests/bench/issuance.sh                       # full run, ~5-6 minutes on 2 cores
#   BENCH_PROPS="-Dbench.window=3 -Dbench.warmup=1 -Dbench.raw.window=2 -Dbench.commit.window=2 -Dbench.cards=1000" \
#       conformance-tests/bench/issuance.sh                   # quick look
#
# Environment: BENCH_PROPS (system properties, see the class's Javadoc), MVN_ARGS (default "-o";
# empty to let Maven download), SKIP_BUILD=1 to reuse the last build.
# Results: conformance-tests/target/bench/issuance.md (and machine.txt).
# The embedded MariaDB's data directory is under conformance-tests/target/bench-work (the disk
# whose commit rate is measured), deleted when the JVM exits.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
MODULE=conformance-tests
OUT=$ROOT/$MODULE/target/bench
MVN_ARGS=${MVN_ARGS--o}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # -am: ra-api, ca-core (and its test-jar's classes: TestDatabase), hsm-config come from this tree.
  ./mvnw -q -B $MVN_ARGS -pl $MODULE -am test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
fi
CP="$ROOT/$MODULE/target/test-classes:$ROOT/$MODULE/target/classes:$(cat "$ROOT/$MODULE/target/bench.classpath")"

# A throw-away SoftHSM2 token directory and temporary files for this run.
WORK=$(mktemp -d -t eidpki-issuance-bench.XXXXXX)
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

echo "== java ${FLAGS[*]} ${BENCH_PROPS:-} -cp \$CP tw.eid.pki.bench.IssuanceBenchmark"
# shellcheck disable=SC2086
"$JAVA" "${FLAGS[@]}" ${BENCH_PROPS:-} -Dbench.out="$OUT/issuance.md" -cp "$CP" tw.eid.pki.bench.IssuanceBenchmark \
    2> >(grep --line-buffered -v "Deadlock found" >&2)   # the driver's deadlock warnings are counted in the tables
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

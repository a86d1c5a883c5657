#!/usr/bin/env bash
# OCSP responder benchmark (tw.eid.pki.bench.OcspBenchmark, a main: `mvn test` does not run it):
# certificates in the store pre-signed by the updater, two responders on one database, wrk GETs
# against one responder and against nginx serving one of its responses (the ceiling), CPU per
# 10,000 responses for each, then the revoke-to-served latency on both responders.
#
#   conformance-tests/bench/ocsp.sh                                   # 100,000 certificates
#   BENCH_PROPS="-Dbench.certs=1000000" conformance-tests/bench/ocsp.sh   # national-scale store
#
# Needs wrk and nginx (bin/install-deps --bench). Environment: BENCH_PROPS (system properties,
# see the class's Javadoc), MVN_ARGS (default "-o"), SKIP_BUILD=1 to reuse the last build.
# Results: conformance-tests/target/bench/ocsp.md (and machine.txt).
set -euo pipefail
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "ocsp.sh: needs wrk and nginx: bin/install-deps --bench" >&2; exit 2; }

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
WORK=$(mktemp -d -t eidpki-ocsp-bench.XXXXXX)
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

echo "== java ${FLAGS[*]} ${BENCH_PROPS:-} -cp \$CP tw.eid.pki.bench.OcspBenchmark"
# shellcheck disable=SC2086
"$JAVA" "${FLAGS[@]}" ${BENCH_PROPS:-} -Dbench.out="$OUT/ocsp.md" -cp "$CP" tw.eid.pki.bench.OcspBenchmark
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

#!/usr/bin/env bash
# Signing throughput through the token layer beside SunPKCS11 called directly (JMH,
# tw.eid.pki.bench.TokenSigningBenchmark), then time to recovery after provoked token failures
# (tw.eid.pki.hsm.TokenRecoveryBenchmark). Benchmarks, never tests: `mvn test` does not run them.
#
#   conformance-tests/bench/token-signing.sh                 # full run, ~7 minutes on 2 cores
#   JMH_ARGS="-f 1 -wi 1 -w 1s -i 1 -r 2s -p algorithm=EC_P256" conformance-tests/bench/token-signing.sh   # quick look
#
# Environment: JMH_ARGS (JMH options; default below), RECOVERY_TRIALS (default 50),
# MVN_ARGS (default "-o"; empty to let Maven download), SKIP_BUILD=1 to reuse the last build.
# Results: conformance-tests/target/bench/ (JMH JSON, the table, the recovery figures).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
MODULE=conformance-tests
OUT=$ROOT/$MODULE/target/bench
JMH_ARGS=${JMH_ARGS:--f 1 -wi 2 -w 2s -i 5 -r 3s}
RECOVERY_TRIALS=${RECOVERY_TRIALS:-50}
MVN_ARGS=${MVN_ARGS--o}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # -am: hsm-config and the other modules conformance-tests depends on are built from this tree
  # and put on the classpath from their target/ directories (not from ~/.m2). JMH's annotation
  # processor generates the benchmark harness at test-compile. build-classpath writes
  # target/bench.classpath in each module of the reactor.
  ./mvnw -q -B $MVN_ARGS -pl $MODULE -am test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
fi
[[ -f $ROOT/$MODULE/target/test-classes/META-INF/BenchmarkList ]] || { echo "no JMH BenchmarkList: build failed?" >&2; exit 1; }
CP="$ROOT/$MODULE/target/test-classes:$ROOT/$MODULE/target/classes:$(cat "$ROOT/$MODULE/target/bench.classpath")"

# A throw-away SoftHSM2 token directory for this run (SoftHsmTestTokens writes the config).
WORK=$(mktemp -d -t eidpki-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export SOFTHSM2_CONF=$WORK/softhsm2.conf

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
FLAGS=(--add-modules=jdk.crypto.cryptoki
       --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED
       --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11=ALL-UNNAMED
       -Dlogback.configurationFile="$ROOT/$MODULE/bench/logback-bench.xml")
mkdir -p "$OUT"

echo "== machine"
{
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "java: $("$JAVA" -version 2>&1 | head -1)"
  echo "softhsm2: $(softhsm2-util --version 2>/dev/null || echo unknown)"
} | tee "$OUT/machine.txt"

echo "== JMH: java ${FLAGS[*]} -cp \$CP org.openjdk.jmh.Main TokenSigningBenchmark $JMH_ARGS"
# shellcheck disable=SC2086
"$JAVA" "${FLAGS[@]}" -cp "$CP" org.openjdk.jmh.Main TokenSigningBenchmark $JMH_ARGS \
    -rf json -rff "$OUT/token-signing.json" | tee "$OUT/token-signing.txt"

if command -v python3 >/dev/null; then
  python3 "$ROOT/$MODULE/bench/jmh-table.py" "$OUT/token-signing.json" | tee "$OUT/token-signing.md"
fi

echo "== time to recovery: $RECOVERY_TRIALS trials"
"$JAVA" "${FLAGS[@]}" -cp "$CP" tw.eid.pki.hsm.TokenRecoveryBenchmark "$RECOVERY_TRIALS" | tee "$OUT/recovery.txt"

echo "== per-signature overhead of the layer (P-256, 1 thread, interleaved)"
"$JAVA" "${FLAGS[@]}" -cp "$CP" tw.eid.pki.hsm.TokenOverheadProbe | tee "$OUT/overhead.txt"

#!/usr/bin/env bash
# SODs end to end through the RA API (HTTPS with client certificates, JSON data-group hashes, the
# DS pool's reservation, the DS key's signature in the token, the durable store and audit commit)
# with 2, 8, 16 clients and in-process, beside the raw signing rate of the same DS key (P-256), in
# one run (tw.eid.pki.bench.SodBenchmark, a main: `mvn test` does not run it).
#
#   conformance-tests/bench/sod.sh                            # full run, ~5 minutes on 2 cores
#   BENCH_PROPS="-Dbench.window=3 -Dbench.warmup=1 -Dbench.raw.window=2 -Dbench.jit.warmup=3 -Dbench.cards=60000" \
#       conformance-tests/bench/sod.sh                        # quick look
#
# Environment: BENCH_PROPS, MVN_ARGS (default "-o"), SKIP_BUILD=1 (see main.sh).
# Results: conformance-tests/target/bench/sod.md (and machine.txt).
set -euo pipefail
exec "$(dirname "$0")/main.sh" tw.eid.pki.bench.SodBenchmark sod "Deadlock found"

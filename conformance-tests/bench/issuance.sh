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
exec "$(dirname "$0")/main.sh" tw.eid.pki.bench.IssuanceBenchmark issuance "Deadlock found"   # the driver's deadlock warnings are counted in the tables

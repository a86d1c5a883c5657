#!/usr/bin/env bash
# CRL publisher benchmark (tw.eid.pki.bench.CrlBenchmark, a main: `mvn test` does not run it):
# one partition of 1,000,000 revoked/held certificates published by our publisher (time, peak
# heap) beside `openssl ca -gencrl` over the same entries (time, max RSS); a partition at full
# population (10,000 entries) for an estimate of the whole Citizen CA; and the time from a status
# change to the delta CRL that lists it being served.
#
#   conformance-tests/bench/crl.sh
#   BENCH_PROPS="-Dbench.entries=100000 -Dbench.trials=5" conformance-tests/bench/crl.sh   # shorter
#
# Needs openssl and /usr/bin/time (GNU time). Environment: BENCH_PROPS, MVN_ARGS (default "-o"),
# SKIP_BUILD=1. Results: conformance-tests/target/bench/crl.md (and machine.txt).
set -euo pipefail
command -v openssl >/dev/null && [[ -x /usr/bin/time ]] || { echo "crl.sh: needs openssl and GNU time (/usr/bin/time)" >&2; exit 2; }
BENCH_PROPS="-Xmx2g ${BENCH_PROPS:-}" exec "$(dirname "$0")/main.sh" tw.eid.pki.bench.CrlBenchmark crl

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
exec "$(dirname "$0")/main.sh" tw.eid.pki.bench.OcspBenchmark ocsp

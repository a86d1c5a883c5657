#!/usr/bin/env bash
# CV terminal certificates (issue 22) through POST /cv/terminal-renewal with 1, 2 and 4 clients,
# beside raw signatures of the same DV key in the token, in one run, with CPU per certificate
# (tw.eid.pki.launcher.CvRenewalBenchmark, a main: `mvn test` does not run it).
#
#   conformance-tests/bench/cv.sh                                           # 1,500 renewals per client count
#   BENCH_PROPS="-Dbench.renewals=300 -Dbench.raw.window=2" conformance-tests/bench/cv.sh   # quick look
#
# Environment: BENCH_PROPS, MVN_ARGS (default "-o"), SKIP_BUILD=1 (see main.sh).
# Results: conformance-tests/target/bench/cv.md (and machine.txt).
set -euo pipefail
exec "$(dirname "$0")/main.sh" tw.eid.pki.launcher.CvRenewalBenchmark cv

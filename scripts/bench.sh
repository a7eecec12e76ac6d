#!/usr/bin/env bash
# Regenerates docs/benchmarks.md: one run of interleaved, same-process races of every hpds
# family against its peers (benches/src/bin/bench_report, driver hpds_testkit::race).
#   scripts/bench.sh                      # the whole page, about two minutes on 2 cores
#   scripts/bench.sh --only bloom,loglog  # some families (writes only those sections)
#   HPDS_BENCH_FULL=1 scripts/bench.sh    # adds the long out-of-cache sizes (30 minutes or more)
#   HPDS_RACE_ROUNDS=5 scripts/bench.sh   # fewer rounds: quicker, wider spreads
# Criterion benchmarks are separate: cargo bench -p hpds-benches --bench FAMILY.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -p hpds-benches --bin bench_report -- --out docs/benchmarks.md "$@"

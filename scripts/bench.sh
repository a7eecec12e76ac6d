#!/usr/bin/env bash
# Runs the side-by-side peer benchmarks and regenerates docs/benchmarks.md and its plots.
#   scripts/bench.sh              # every family, default sizes, short criterion settings
#   scripts/bench.sh bloom loglog # some families
#   HPDS_BENCH_FULL=1 scripts/bench.sh  # adds the long out-of-cache sizes
# Criterion's settings can be overridden with CRITERION_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(exact_sets openhash vec trie counters bloom loglog)
args=${CRITERION_ARGS:-"--warm-up-time 1 --measurement-time 3 --sample-size 10"}
for b in "${benches[@]}"; do
  # shellcheck disable=SC2086
  cargo bench -p hpds-benches --bench "$b" -- $args
done
cargo run --release -p hpds-benches --bin bench_report -- --out docs target/criterion

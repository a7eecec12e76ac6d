#!/usr/bin/env bash
# Regenerates the figures of docs/index.md: the comparison table on the built-in corpus, and the
# accuracy and false-positive-rate plots (CSV + SVG) of `hpds accuracy` and `hpds fpr`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p hpds-cli
hpds=target/release/hpds
mkdir -p docs/img docs/data
$hpds compare -q | tee docs/data/compare.txt
$hpds compare -q --format csv > docs/data/compare.csv
$hpds compare -q --threads 2 --format csv > docs/data/compare-2-threads.csv
$hpds accuracy --trials 100 --max 1000000 --out docs/data > docs/data/accuracy.txt
$hpds fpr --capacity 100000 --rate 0.01 --probes 1000000 --out docs/data > docs/data/fpr.txt
mv docs/data/accuracy.svg docs/img/accuracy.svg
mv docs/data/fpr.svg docs/img/fpr.svg
echo "figures written to docs/data and docs/img"

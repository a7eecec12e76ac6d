#!/usr/bin/env bash
# The crates as crates.io would receive them:
#  1. `cargo package` for the workspace: every library crate and hpds-cli, in dependency order
#     (`--no-verify`: step 2 builds every crate from its .crate, with more targets and features
#     than cargo's own verification, which would build each crate once more in the dev profile);
#  2. every .crate is extracted into one scratch workspace whose hpds crates resolve to each
#     other by path, and each extracted crate's library, tests, benches and examples are checked
#     (all features), so a packaged crate cannot ship a target that needs a file or crate it
#     does not carry. Type-checking finds every missing crate, module and `include_*!` file;
#     the code itself is the repository's, which CI has already built and tested.
# Uses the repository's target directory so the dependencies checked for clippy are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=target/package
rm -f "$out"/*.crate

# Extra arguments go to `cargo package` (e.g. --allow-dirty for a tree with uncommitted changes).
cargo package --workspace --exclude hpds-benches --locked --no-verify "$@"

check=$out/extracted
rm -rf "$check"
mkdir -p "$check"
members=()
for f in "$out"/*.crate; do
  # -m: extracted files get the current time, so cargo never takes them for unchanged sources
  # of an earlier check (packaged files carry fixed times).
  tar xzmf "$f" -C "$check"
  members+=("$(basename "$f" .crate)")
done
{
  echo '[workspace]'
  echo 'resolver = "3"'
  printf 'members = ['
  printf '"%s", ' "${members[@]}"
  echo ']'
  echo
  echo '[patch.crates-io]'
  for m in "${members[@]}"; do
    name=${m%-*}
    [ "$name" = hpds-cli ] || echo "$name = { path = \"$m\" }"
  done
  echo
  # The repository's profiles (the packaged manifests drop them), so builds are shared.
  sed -n '/^\[profile/,$p' Cargo.toml
} > "$check/Cargo.toml"
cp Cargo.lock "$check/Cargo.lock"
CARGO_TARGET_DIR="$root/target" cargo check --manifest-path "$check/Cargo.toml" --workspace \
  --all-targets --all-features
echo "package-check: ${#members[@]} crates packaged; their libraries, tests, benches and examples check"

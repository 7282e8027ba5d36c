#!/usr/bin/env bash
# BENCHMARKS.md, rows 10: the decode bench's `RATIO` lines (`Value` time over
# typed time on the same bytes) for several bench binaries, run alternately
# so machine load hits each alike. Ratios, not absolute times, are what to
# compare between binaries.
#
#   scripts/decode_ratios.sh ROUNDS BIN...
#
# Build each binary from its revision with
#   cargo bench -p slack-api --bench decode --no-run
# and copy `target/release/deps/decode-<hash>` aside before building the
# next. Each run is `BIN --bench nomatch`: criterion's own benchmarks are
# filtered out, the ratio loops still run. Prints one block per binary and
# round: ratio, then the workload's name.
set -euo pipefail

ROUNDS=${1:?usage: decode_ratios.sh ROUNDS BIN...}
shift
[ $# -gt 0 ] || { echo "usage: decode_ratios.sh ROUNDS BIN..." >&2; exit 2; }
REPO=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
# The bench reads its inputs relative to the crate.
cd "$REPO/slack-api"
for round in $(seq 1 "$ROUNDS"); do
  for bin in "$@"; do
    echo "== $(basename "$bin") round $round"
    "$bin" --bench nomatch 2>/dev/null |
      sed -nE 's/^RATIO ([^:]*):.*= ([0-9.]+) \(target.*/\2  \1/p'
  done
done

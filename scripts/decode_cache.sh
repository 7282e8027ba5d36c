#!/usr/bin/env bash
# BENCHMARKS.md, rows 10: instructions and first-level cache misses of one
# decode workload per round: 10,000 frames (one page for `history` and
# `users`), exact where timings on a shared 2-core machine swing by 10 %.
#
#   scripts/decode_cache.sh BIN [PROFILE] [valgrind options...]
#
# BIN is a decode bench binary (see scripts/decode_ratios.sh); PROFILE is
# one of the bench's `SLACK_BENCH_PROFILE` workloads (default `plain`;
# the bench runs `users` for a name it does not know).
# Extra options go to cachegrind, e.g. `--I1=65536,16,64` to simulate a
# larger instruction cache. The workload runs 0 and 5 rounds under
# `valgrind --tool=cachegrind --cache-sim=yes`; the difference divided by 5
# is one round, without the set-up both runs share. The raw outputs stay in
# $CG_DIR (/tmp/decode-cache) for `cg_diff` and `cg_annotate`.
set -euo pipefail

BIN=${1:?usage: decode_cache.sh BIN [PROFILE] [valgrind options...]}
PROFILE=${2:-plain}
shift $(($# > 1 ? 2 : 1))
CG_DIR=${CG_DIR:-/tmp/decode-cache}
NAME=$(basename "$BIN").$PROFILE
REPO=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
mkdir -p "$CG_DIR"
cd "$REPO/slack-api"
for rounds in 0 5; do
  SLACK_BENCH_PROFILE=$PROFILE SLACK_BENCH_ROUNDS=$rounds \
    valgrind --tool=cachegrind --cache-sim=yes "$@" \
    --cachegrind-out-file="$CG_DIR/$NAME.$rounds" "$BIN" --bench nomatch >/dev/null 2>&1
done
# summary: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw (cachegrind's order)
python3 - "$CG_DIR/$NAME" "$NAME" <<'PY'
import sys
def summary(path):
    for line in open(path):
        if line.startswith("summary:"):
            return [int(x) for x in line.split()[1:]]
    sys.exit(f"no summary in {path}")
base, name = sys.argv[1], sys.argv[2]
d = [b - a for a, b in zip(summary(base + ".0"), summary(base + ".5"))]
print(f"{name}: per round: {d[0] / 5e6:.1f} M instructions, "
      f"{d[1] / 5e6:.2f} M I1 misses, {(d[4] + d[7]) / 5e6:.2f} M D1 misses")
PY

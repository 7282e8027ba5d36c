#!/usr/bin/env bash
# BENCHMARKS.md, rows 7: how long the slack-api crate alone takes to build
# (debug, dependencies prebuilt), as a ratio to slack-morphism's crate built
# the same way, the two alternated so machine load hits both alike.
#
#   scripts/compile_time.sh [REV]       # REV defaults to HEAD
#
# Environment: ROUNDS (3), SETS (space-separated names from the list below,
# default all), CT_DIR (/tmp/ct: snapshots, scratch crate, target dirs).
#
# What runs: REV is snapshotted with `git archive` into $CT_DIR/src-REV and
# built in its own target dir; a scratch crate outside any workspace
# depends on slack-morphism (feature `hyper`). Dependencies of both are built
# first. Then, ROUNDS times, each feature set of slack-api
# (`cargo clean -p slack-api && cargo build -p slack-api ...`) runs between
# two builds of slack-morphism (`cargo clean -p slack-morphism && cargo
# build` in the scratch crate); each set's ratio is its time over the mean of
# the two slack-morphism builds beside it. The last lines are medians.
#
# Both crates build under the same dev settings: the workspace's
# `debug = "line-tables-only"` is given to the scratch crate too. slack-api,
# a workspace member, builds incrementally as a user's own crate would;
# slack-morphism, a registry dependency, does not (cargo's default).
set -euo pipefail

REV=${1:-HEAD}
ROUNDS=${ROUNDS:-3}
CT_DIR=${CT_DIR:-/tmp/ct}
MORPHISM_VERSION=2.31
REPO=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
SHA=$(git -C "$REPO" rev-parse --short "$REV")

# name|cargo arguments. `common` falls back to its families spelled out for
# revisions that predate the feature, so before and after build the same set.
COMMON_FAMILIES="chat,conversations,users,reactions,views,files,auth,apps,oauth,events"
ALL_SETS=(
  "default|"
  "common|--no-default-features --features common,rustls"
  "chat|--no-default-features --features chat,rustls"
  "full|--features full"
)
SETS=${SETS:-default common chat full}

SRC="$CT_DIR/src-$SHA"
API_TARGET="$CT_DIR/target-api"
SCRATCH="$CT_DIR/morphism"
mkdir -p "$CT_DIR"

rm -rf "$SRC" && mkdir -p "$SRC"
git -C "$REPO" archive "$REV" | tar -x -C "$SRC"
if ! grep -q '^common *=' "$SRC/slack-api/Cargo.toml"; then
  ALL_SETS[1]="common|--no-default-features --features $COMMON_FAMILIES,rustls"
fi

mkdir -p "$SCRATCH/src"
cat >"$SCRATCH/Cargo.toml" <<EOF
[package]
name = "ct-morphism"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
slack-morphism = { version = "$MORPHISM_VERSION", features = ["hyper"] }

[profile.dev]
debug = "line-tables-only"

[workspace]
EOF
echo 'pub use slack_morphism;' >"$SCRATCH/src/lib.rs"

now() { date +%s.%N; }
# build DIR TARGET ARGS...: prints the seconds the build took.
build() {
  local dir=$1 target=$2 start
  shift 2
  start=$(now)
  (cd "$dir" && CARGO_TARGET_DIR=$target cargo build --quiet "$@" >>"$CT_DIR/build.log" 2>&1) ||
    { echo "build failed in $dir: cargo build $*; see $CT_DIR/build.log" >&2; exit 1; }
  echo "$(now) - $start" | bc
}
api() {
  (cd "$SRC" && CARGO_TARGET_DIR=$API_TARGET cargo clean --quiet -p slack-api)
  # shellcheck disable=SC2086 # the arguments are word lists
  build "$SRC" "$API_TARGET" --locked -p slack-api $1
}
morphism() {
  (cd "$SCRATCH" && CARGO_TARGET_DIR=$SCRATCH/target cargo clean --quiet -p slack-morphism)
  build "$SCRATCH" "$SCRATCH/target"
}
args_of() {
  local s
  for s in "${ALL_SETS[@]}"; do
    [[ ${s%%|*} == "$1" ]] && { echo "${s#*|}"; return; }
  done
  echo "unknown set $1" >&2
  exit 1
}

echo "slack-api at $SHA ($SRC) against slack-morphism $MORPHISM_VERSION (hyper); $ROUNDS rounds; $(nproc) cores"
echo "prebuilding dependencies..."
: >"$CT_DIR/build.log"
build "$SCRATCH" "$SCRATCH/target" >/dev/null
# Every set has the same dependencies: one build of the first brings them.
# shellcheck disable=SC2046
build "$SRC" "$API_TARGET" --locked -p slack-api $(args_of "${SETS%% *}") >/dev/null
echo "generated lines: $(cat "$SRC"/slack-api/src/generated/*.rs | wc -l)"

declare -A RATIOS TIMES
for round in $(seq "$ROUNDS"); do
  before=$(morphism)
  for set in $SETS; do
    t=$(api "$(args_of "$set")")
    after=$(morphism)
    ratio=$(echo "scale=3; $t / (($before + $after) / 2)" | bc)
    printf 'round %s  %-8s slack-api %6.1f s  slack-morphism %5.1f / %5.1f s  ratio %s\n' \
      "$round" "$set" "$t" "$before" "$after" "$ratio"
    RATIOS[$set]+="$ratio "
    TIMES[$set]+="$t "
    before=$after
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for set in $SETS; do
  printf 'RATIO %-8s median %s (%s) slack-api median %.1f s; %s\n' "$set" \
    "$(echo "${RATIOS[$set]}" | median)" "${RATIOS[$set]% }" \
    "$(echo "${TIMES[$set]}" | median)" "$(args_of "$set")"
done

#!/bin/sh
# `npm test`: the type check (it emits lib/, which the package tests use), eslint and prettier, then jest; extra
# arguments go to jest (`npm test -- test/helm.test.ts`). `sh scripts/test.sh lint` runs the two linters only
# (`npm run lint`). Every tool runs straight under node, without an npm or npx process in between (each costs
# a few tenths of a second of CPU), and with the V8 settings below; CONTRIBUTING.md ("Keeping the suite cheap")
# gives the measurements.
set -eu
cd "$(dirname "$0")/.."

# One V8 background thread for every Node process, the ones tests start included (V8's default is four
# threads for optimizing compilation and garbage collection, on a machine of two cores).
export NODE_OPTIONS="--v8-pool-size=1 ${NODE_OPTIONS:-}"

# Temporary folders in memory: a run writes and deletes some 8,000 files and folders (synth outputs, charts, helm's
# caches), which costs ext4 several times the kernel time it costs tmpfs (3-4 s of CPU less, measured on this
# suite). Only when the caller set no TMPDIR and /dev/shm is a tmpfs where programs may run (tests run scripts they
# write there) with 256 MiB free; the folder is this run's, removed when the run ends, however it ends.
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] &&
  awk '$2 == "/dev/shm" && $3 == "tmpfs" && $4 !~ /(^|,)noexec(,|$)/ { ok = 1 } END { exit !ok }' /proc/mounts 2>/dev/null &&
  [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -ge 262144 ] 2>/dev/null; then
  TMPDIR=$(mktemp -d /dev/shm/cdk8s-rdma-test.XXXXXX)
  export TMPDIR
  trap 'rm -rf "$TMPDIR"' EXIT
  trap 'exit 129' HUP
  trap 'exit 141' PIPE
  trap 'exit 130' INT
  trap 'exit 143' TERM
fi

# The tools' own processes: a 64 MiB young generation (fewer scavenges of the short-lived objects synths and
# parsers make), and a larger interrupt budget, so that V8 optimizes only the functions that stay hot in a
# process that lives seconds. `--interrupt-budget` is a V8 flag (nodejs/node v20.20.2,
# deps/v8/src/flags/flag-definitions.h: "interrupt budget which should be used for the profiler counter",
# default 67584 in `node --v8-options`); NODE_OPTIONS may not carry it, so it is given on each command line,
# and left out on a Node whose V8 no longer knows it.
FLAGS="--max-semi-space-size=64"
if node --interrupt-budget=1000000 -e 0 >/dev/null 2>&1; then FLAGS="$FLAGS --interrupt-budget=1000000"; fi
run() {
  # shellcheck disable=SC2086 # FLAGS is a list of flags
  node $FLAGS "$@"
}

lint() {
  run node_modules/eslint/bin/eslint.js --cache --cache-strategy content --cache-location node_modules/.cache/eslint/ .
  run node_modules/prettier/bin/prettier.cjs --check --cache --cache-location node_modules/.cache/prettier/cache.json .
}

if [ "${1:-}" = lint ]; then
  lint
  exit 0
fi
run node_modules/typescript/bin/tsc -b tsconfig.check.json
lint
run node_modules/jest/bin/jest.js "$@"

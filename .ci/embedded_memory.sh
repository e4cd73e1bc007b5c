#!/usr/bin/env bash
# The embedded default's memory: `deno task export` with no database configured, measured with
# /usr/bin/time -v, and the whole process tree (the export and the child serving PGlite) sampled from
# /proc, since time reports only the largest single process. Two runs on an empty cache folder: the first
# (initdb and seeding, then cached), then the cached one. Prints the larger (the tree's PSS or time's figure) as
# "embedded export peak memory: N MiB (M MB)", and a WARN line at 400 MB or more. Always exits 0: it reports, it does
# not test.
set -uo pipefail
cd "$(dirname "$0")/.."
LIMIT_MB=400 # the issue's budget, in decimal megabytes (381 MiB)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Peak of the summed PSS of $1 and all its descendants, sampled every 50 ms until it ends: PSS shares
# the pages two processes both map (the deno binary) between them, where summed RSS counts them twice.
sample_tree() {
  local root=$1 peak=0
  while kill -0 "$root" 2>/dev/null; do
    local pids=$root frontier=$root next sum=0 kib
    while [ -n "$frontier" ]; do
      next=$(for p in $frontier; do cat /proc/"$p"/task/*/children 2>/dev/null; done | tr '\n' ' ')
      pids="$pids $next"
      frontier=$(echo $next)
    done
    for p in $pids; do
      kib=$(awk '/^Pss:/ {print $2}' /proc/"$p"/smaps_rollup 2>/dev/null)
      sum=$((sum + ${kib:-0}))
    done
    [ "$sum" -gt "$peak" ] && peak=$sum
    sleep 0.05
  done
  echo "$peak"
}

# One export; prints "tree_kib single_kib exit_code".
measure() {
  local out=$work/$1
  mkdir -p "$out"
  env -u DATABASE_URL -u PGHOST -u PGHOSTADDR -u PGPORT -u PGDATABASE -u PGUSER -u PGPASSWORD -u PGSERVICE \
    PARQUET_STORAGE_CACHE="$work/cache" \
    /usr/bin/time -v -o "$out/time" deno task export --out "$out/data" >"$out/stdout" 2>"$out/stderr" &
  local pid=$!
  local tree
  tree=$(sample_tree "$pid")
  wait "$pid"
  local code=$?
  local single
  single=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$out/time")
  echo "${tree:-0} ${single:-0} $code"
}

peak=0
for run in first cached; do
  read -r tree single code < <(measure "$run")
  kib=$((tree > single ? tree : single))
  echo "embedded export, $run run: process tree $((tree / 1024)) MiB, largest process $((single / 1024)) MiB, exit $code" >&2
  [ "$code" -ne 0 ] && { echo "WARN: the embedded export failed ($run run):" >&2; tail -n 5 "$work/$run/stderr" >&2; }
  [ "$kib" -gt "$peak" ] && peak=$kib
done
mib=$((peak / 1024))
mb=$((peak * 1024 / 1000000))
echo "embedded export peak memory: $mib MiB ($mb MB)"
[ "$mb" -ge "$LIMIT_MB" ] && echo "WARN: the embedded export peaked at $mb MB, over the $LIMIT_MB MB budget"
exit 0

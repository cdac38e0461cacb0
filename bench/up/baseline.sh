#!/usr/bin/env bash
# The hand-written baseline: what a person types to get a primary and two streaming replicas, with the SAME
# rendered settings as pgha (postgresql.conf and pg_hba.conf from `pgha render --target local`).
#   initdb -> primary conf -> start -> role + 2 slots (WAL reserved) -> 2 x pg_basebackup in parallel
#   -> replica conf + standby.signal -> start both -> wait until both stream.
# Usage: baseline.sh STATE_DIR RENDERED_DIR BINDIR PORT1 PORT2 PORT3
# With PHASES=FILE it appends "phase epoch-seconds" lines there ($EPOCHREALTIME: no extra processes on the clock).
set -euo pipefail
state=$1 rendered=$2 bin=$3 p1=$4 p2=$5 p3=$6
as_pg() { if ((EUID == 0)); then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi; }
mark() { if [[ -n ${PHASES:-} ]]; then echo "$1 $EPOCHREALTIME" >>"$PHASES"; fi; }
password=baselinepw
mark begin

as_pg "$bin/initdb" -D "$state/data/pg-1" -U postgres --pwfile="$state/secrets/superuser.password" \
  --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C --no-instructions >/dev/null
mark initdb
as_pg cp "$rendered/pg-1/postgresql.conf" "$rendered/pg-1/pg_hba.conf" "$state/data/pg-1/"
as_pg "$bin/pg_ctl" -D "$state/data/pg-1" -l "$state/logs/pg-1.log" -w -s start
as_pg "$bin/psql" -h "$state/run" -p "$p1" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 <<SQL >/dev/null
CREATE ROLE replicator WITH LOGIN REPLICATION PASSWORD '$password';
SELECT pg_create_physical_replication_slot('pg_2', true);
SELECT pg_create_physical_replication_slot('pg_3', true);
SQL
mark primary

for n in pg-2 pg-3; do
  (
    as_pg env PGPASSFILE="$state/secrets/replication.pgpass" "$bin/pg_basebackup" -D "$state/data/$n" -h 127.0.0.1 -p "$p1" \
      -U replicator -X stream -S "${n/-/_}" -c fast -w
    mark "basebackup-$n"
    as_pg cp "$rendered/$n/postgresql.conf" "$rendered/$n/pg_hba.conf" "$state/data/$n/"
    as_pg touch "$state/data/$n/standby.signal"
    as_pg "$bin/pg_ctl" -D "$state/data/$n" -l "$state/logs/$n.log" -w -s start
    mark "started-$n"
  ) &
done
wait
mark replicas

until [[ $(as_pg "$bin/psql" -h "$state/run" -p "$p1" -U postgres -d postgres -qAt \
  -c "SELECT count(*) FROM pg_stat_replication WHERE application_name IN ('pg-2', 'pg-3') AND state = 'streaming'") == 2 ]]; do
  sleep 0.01
done
mark streaming

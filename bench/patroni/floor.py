#!/usr/bin/python3
"""The floor for bench/patroni: no manager. A poller connects to the primary every 100 ms; on the 3rd failure in a
row it calls pg_promote() on the synchronous standby. A writer commits through a libpq multi-host read-write string,
retrying every 20 ms. The primary's postmaster group is frozen and SIGKILLed; prints kill -> first commit (s).
Usage: floor.py STATE_DIR BASE_PORT  (a `pgha up` stack with pg-1..pg-3 on BASE_PORT..BASE_PORT+2, pg-1 primary)."""
import os, signal, sys, threading, time
import psycopg2  # Debian's python3-psycopg2 (/usr/bin/python3)

state, base = sys.argv[1], int(sys.argv[2])
password = open(os.path.join(state, "secrets", "superuser.password")).read().strip()
def dsn(ports, extra=""):
    return "host=%s port=%s user=postgres dbname=postgres connect_timeout=1 password=%s %s" % (
        ",".join("127.0.0.1" for _ in ports), ",".join(str(p) for p in ports), password, extra)

standby = None
with psycopg2.connect(dsn([base])) as c, c.cursor() as cur:
    cur.execute("CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY)")
    cur.execute("SELECT application_name FROM pg_stat_replication WHERE sync_state = 'sync'")
    standby = cur.fetchone()[0]
standby_port = base + int(standby.split("-")[1]) - 1

first_commit = None
stop = False
def writer():
    global first_commit
    while not stop:
        try:
            with psycopg2.connect(dsn([base, base + 1, base + 2], "target_session_attrs=read-write")) as c:
                c.autocommit = True
                with c.cursor() as cur:
                    while not stop:
                        cur.execute("INSERT INTO bench_floor DEFAULT VALUES")
                        if killed_at is not None and first_commit is None and cur.connection.info.port != base:
                            first_commit = time.monotonic()
                        time.sleep(0.02)
        except psycopg2.Error:
            time.sleep(0.02)

def poller():
    failures = 0
    while not stop:
        try:
            psycopg2.connect(dsn([base])).close()
            failures = 0
        except psycopg2.Error:
            failures += 1
            if failures == 3:
                with psycopg2.connect(dsn([standby_port])) as c, c.cursor() as cur:
                    cur.execute("SELECT pg_promote(true, 60)")
                return
        time.sleep(0.1)

killed_at = None
threads = [threading.Thread(target=writer), threading.Thread(target=poller)]
for t in threads:
    t.start()
time.sleep(2)
pid = int(open(os.path.join(state, "data", "pg-1", "postmaster.pid")).readline())
group = os.getpgid(pid)
if group in (os.getpgrp(), 0, 1):
    sys.exit("the postmaster shares this script's process group; refusing to kill it")
os.killpg(group, signal.SIGSTOP)
killed_at = time.monotonic()
os.killpg(group, signal.SIGKILL)
while first_commit is None and time.monotonic() - killed_at < 30:
    time.sleep(0.01)
stop = True
for t in threads:
    t.join()
print("%.3f" % (first_commit - killed_at))

namespace PgHaInfra.Core.Tests.Stack;

/// <summary>Every file in BadStacks/ with the exact error it must produce. Line numbers are 1-based file lines.</summary>
internal static class BadStackTable
{
    private const string Ns = "pg-ha-infra:";
    private const string NameAllowed = "a lowercase DNS label: a letter, then letters, digits or '-', not ending with '-', at most 40 characters";
    private const string PortAllowed = "a whole number from 1024 to 65535";
    private const string TopLevelKeys = "cluster, environment, topology, primary, nodes, postgres, replication, wal, synchronous, network, endpoints, lag, failover, parameters, backup, docker";
    private const string SizeAllowed = "a whole number with an optional unit B, kB, MB, GB or TB (1024-based; KiB, MiB, GiB, TiB also accepted), e.g. 512MB or 1GB";
    private const string DurationAllowed = "a whole number with a unit ms, s, min, h or d (also second(s), minute(s), hour(s), day(s)), e.g. 60s or 1 minute";
    private const string FromPrimary = "replicas that stream from the primary";

    public static readonly BadStackCase[] Cases =
    [
        // Topology and replica counts.
        new("unknown-topology", 3, Ns + "topology", "\"asynch\"", "is not a valid topology", "single, async, sync, cascading", "\"async\""),
        new("single-with-replicas", 4, Ns + "nodes", "\"2 nodes\"", "gives 1 replica, out of range for topology single", "exactly 0 replicas (1 node)"),
        new("async-without-replicas", 4, Ns + "nodes", "\"1 node\"", "gives 0 replicas, out of range for topology async", "1 to 16 replicas (2 to 17 nodes)"),
        new("async-too-many-replicas", 4, Ns + "nodes", "\"18 nodes\"", "gives 17 replicas, out of range for topology async", "1 to 16 replicas (2 to 17 nodes)"),
        new("cascading-one-replica", 4, Ns + "nodes", "\"2 nodes\"", "gives 1 replica, out of range for topology cascading", "2 to 16 replicas (3 to 17 nodes)", Errors: 2),
        new("cascading-without-cascading-node", 3, Ns + "topology", "\"cascading\"", "needs at least one replica whose upstream is another replica",
            "set upstream on a node to a replica's name, or use topology async"),
        new("cascading-replica-in-async", 11, Ns + "nodes[2].upstream", "\"pg-2\"", "makes pg-3 stream from replica pg-2, which topology async does not allow",
            "in topology async, replicas stream from the primary; use topology cascading (or sync) for replicas of replicas"),

        // Synchronous replication.
        new("sync-count-above-standbys", 13, Ns + "synchronous.count", "\"3\"", "is larger than the number of synchronous standbys (2); every commit would wait forever", "a number from 1 to 2"),
        new("synchronous-on-async", 9, Ns + "synchronous", null, "is set, but topology is async", "synchronous only with topology sync"),
        new("sync-without-synchronous", 3, Ns + "synchronous", null, "is required by topology sync", "a mapping with method (first or any), count, standbys and commit"),
        new("sync-standby-cascading", 17, Ns + "synchronous.standbys", "\"pg-4\"", "streams from pg-3, not from the primary; a cascading replica cannot be synchronous", FromPrimary),
        new("sync-standby-delayed", 15, Ns + "synchronous.standbys", "\"pg-dr\"", "is a delayed replica; commits would wait for its delay", "replicas without delay"),
        new("sync-standby-primary", 14, Ns + "synchronous.standbys", "\"pg-1\"", "is the primary, which cannot be its own standby", FromPrimary),
        new("sync-standby-unknown", 14, Ns + "synchronous.standbys", "\"pg3\"", "is not one of the nodes", "pg-1, pg-2, pg-3", "\"pg-3\""),
        new("sync-standby-twice", 14, Ns + "synchronous.standbys", "\"pg-2\"", "is listed twice", "each standby once"),

        // Upstreams.
        new("upstream-unknown", 11, Ns + "nodes[2].upstream", "\"pg-22\"", "is not one of the nodes", "pg-1, pg-2, pg-3", "\"pg-2\""),
        new("upstream-self", 11, Ns + "nodes[2].upstream", "\"pg-3\"", "names the node itself", "another node of the cluster"),
        new("upstream-cycle", 9, Ns + "nodes[1].upstream", "\"pg-3\"", "forms a cycle: pg-2 -> pg-3 -> pg-4 -> pg-2", "upstream chains that end at the primary"),
        new("upstream-on-primary", 8, Ns + "nodes[0].upstream", "\"pg-2\"", "is set on pg-1, the primary, which streams from no one",
            "no upstream on the primary: remove it, or make another node primary"),

        // Nodes and ports.
        new("duplicate-node-name", 9, Ns + "nodes[2].name", "\"pg-2\"", "is used by another node", "a name used by exactly one node"),
        new("duplicate-port", 10, Ns + "nodes[2].port", "\"15433\"", "is used by another node", "a port used by exactly one node"),
        new("port-out-of-range", 6, Ns + "nodes[0].port", "\"80\"", "is out of range or not a whole number", PortAllowed),
        new("port-not-a-number", 8, Ns + "nodes[1].port", "\"154x3\"", "is out of range or not a whole number", PortAllowed),
        new("port-missing", 7, Ns + "nodes[1].port", null, "is required", "a TCP port from 1024 to 65535"),
        new("nodes-missing", null, Ns + "nodes", null, "is required", "a list of nodes, each with name and port (and optionally upstream, delay)"),
        new("node-name-invalid", 7, Ns + "nodes[1].name", "\"2nd_replica\"", "is not a valid node name", NameAllowed),
        new("node-name-trailing-hyphen", 7, Ns + "nodes[1].name", "\"pg-\"", "is not a valid node name", NameAllowed),
        new("primary-not-a-node", 4, Ns + "primary", "\"pg1\"", "is not one of the nodes", "pg-1, pg-2", "\"pg-1\""),

        // Sizes and durations.
        new("size-unparsable", 10, Ns + "wal.keepSize", "\"1 gigabyte\"", "is not a size", SizeAllowed),
        new("duration-unparsable", 10, Ns + "lag.criticalTime", "\"a minute\"", "is not a duration", DurationAllowed),
        new("delay-unparsable", 9, Ns + "nodes[1].delay", "\"3600\"", "is not a duration", DurationAllowed),

        // Keys and syntax.
        new("unknown-top-level-key", 3, Ns + "topolgy", null, "is not a known key", TopLevelKeys, Ns + "topology", Errors: 2),
        new("unknown-node-key", 11, Ns + "nodes[2].upstreams", null, "is not a known key", "name, port, upstream, delay", Ns + "nodes[2].upstream"),
        new("unknown-nested-key", 10, Ns + "lag.criticalByte", null, "is not a known key", "warningBytes, criticalBytes, warningTime, criticalTime", Ns + "lag.criticalBytes"),
        new("key-without-namespace", 9, "cluster", null, "has no namespace; Pulumi config keys are written project:key", "pg-ha-infra:<key>", Ns + "cluster"),
        new("not-yaml", 5, "(yaml)", null, "is not valid YAML", null),

        // Parameter overrides that would break replication, failover or rejoin.
        new("wal-level-minimal", 10, Ns + "parameters.wal_level", "\"minimal\"", "breaks replication: streaming replicas need WAL at level replica or above", "replica, logical"),
        new("hot-standby-off", 10, Ns + "parameters.hot_standby", "\"off\"", "breaks read replicas", "on"),
        new("wal-log-hints-off", 10, Ns + "parameters.wal_log_hints", "\"off\"", "breaks rejoin: pg_rewind needs wal_log_hints", "on"),
        new("full-page-writes-off", 10, Ns + "parameters.full_page_writes", "\"off\"", "breaks rejoin: pg_rewind refuses to run without full_page_writes", "on"),
        new("max-wal-senders-too-low", 16, Ns + "parameters.max_wal_senders", "\"5\"",
            "is below what the topology needs: one sender per replica (4) plus two for pg_basebackup, never below 3", "a whole number of at least 6"),
        new("max-replication-slots-too-low", 14, Ns + "parameters.max_replication_slots", "\"2\"", "is below what the topology needs: one slot per replica (3)", "a whole number of at least 3"),
        new("managed-port", 10, Ns + "parameters.port", "\"5432\"", "is managed by pgha and cannot be overridden", "set nodes[].port instead"),
        new("managed-synchronous-standby-names", 12, Ns + "parameters.synchronous_standby_names", "\"*\"", "is managed by pgha and cannot be overridden",
            "set synchronous.method, synchronous.count and synchronous.standbys instead"),
        new("managed-primary-conninfo", 10, Ns + "parameters.primary_conninfo", "\"host=pg-1 user=replicator password=secret\"", "is managed by pgha and cannot be overridden",
            "set nodes[].upstream and replication.user instead"),
        new("password-encryption-md5", 10, Ns + "parameters.password_encryption", "\"md5\"", "weakens the replication password: pg_hba.conf requires scram-sha-256", "scram-sha-256"),

        // Thresholds and WAL.
        new("lag-warning-not-below-critical", 10, Ns + "lag.warningBytes", "\"2GB\"", "must be below lag.criticalBytes (1GB)", "a size smaller than the critical level"),
        new("lag-warning-time-not-below-critical", 10, Ns + "lag.warningTime", "\"1min\"", "must be below lag.criticalTime (1min)", "a duration shorter than the critical level"),
        new("max-slot-keep-size-below-keep-size", 11, Ns + "wal.maxSlotKeepSize", "\"512MB\"", "is below wal.keepSize (1GB), so a slot would be invalidated while WAL is still kept",
            "a size at least wal.keepSize, or unlimited"),

        // Names, endpoints, environment and the rest.
        new("endpoint-invalid-dns", 10, Ns + "endpoints.write", "\"Pg_Write.shop.internal\"", "is not a valid DNS name", "lowercase labels of letters, digits and '-', separated by dots"),
        new("endpoint-write-equals-read", 11, Ns + "endpoints.read", "\"db.shop.internal\"", "is the same name as the write endpoint", "a DNS name different from endpoints.write"),
        new("cluster-name-invalid", 3, Ns + "cluster", "\"Shop_Prod\"", "is not a valid name", NameAllowed),
        new("environment-unknown", 3, Ns + "environment", "\"prodution\"", "is not a valid environment", "development, staging, production", "\"production\""),
        new("failover-mode-unknown", 10, Ns + "failover.mode", "\"automatic\"", "is not a valid mode", "manual, patroni"),
        new("postgres-version-out-of-range", 10, Ns + "postgres.version", "\"12\"", "is out of range or not a whole number", "a whole number from 13 to 17"),
        new("subnet-invalid", 10, Ns + "network.subnet", "\"10.89.300.0/24\"", "is not a network in CIDR notation", "an IPv4 or IPv6 network such as 10.89.0.0/24"),
        new("many-mistakes", 3, Ns + "cluster", "\"Shop\"", "is not a valid name", NameAllowed, Errors: 5),
    ];
}

using System.Collections.Immutable;
using System.Globalization;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering.Patroni;

/// <summary>
/// Renders each node's patroni.yml from the same spec and the same <see cref="PostgresConf"/> settings and
/// <see cref="PgHba"/> lines as the manual mode, in the layout of Patroni's postgres0.yml: bootstrap.dcs for what
/// the cluster shares, postgresql for what the node owns, tags for what makes a node special. Passwords are not in
/// it: the node supervisor hands them to Patroni in its environment (PATRONI_SUPERUSER_PASSWORD, ...).
/// </summary>
public static class PatroniConfig
{
    public const string FileName = "patroni.yml";

    /// <summary>Settings Patroni writes itself (recovery, synchronous standbys, the listen address and port, and cluster_name, which it sets to the scope).</summary>
    public static readonly ImmutableHashSet<string> OwnedByPatroni =
    [
        "listen_addresses", "port", "cluster_name", "hot_standby", "primary_conninfo", "primary_slot_name", "recovery_target_timeline",
        "synchronous_standby_names", "recovery_min_apply_delay",
    ];

    /// <summary>Settings that belong to one node (postgresql.parameters), not to the cluster (bootstrap.dcs).</summary>
    public static readonly ImmutableHashSet<string> NodeLocal = ["unix_socket_directories"];

    /// <summary>
    /// The cluster-wide PostgreSQL parameters: the primary's rendered settings without those Patroni owns or that
    /// belong to one node. What bootstrap.dcs starts with, and what `up` patches into Patroni's dynamic configuration.
    /// </summary>
    public static ImmutableSortedDictionary<string, string> ClusterParameters(ClusterSpec spec, ClusterPlacement placement) =>
        PostgresConf.Settings(spec, placement, spec.PrimaryNode)
            .Where(s => !OwnedByPatroni.Contains(s.Name) && !NodeLocal.Contains(s.Name))
            .ToImmutableSortedDictionary(s => s.Name, s => Unquote(s.Value), StringComparer.Ordinal);

    public static string Render(ClusterSpec spec, PatroniPlacement placement, NodeSpec node)
    {
        var patroni = spec.Failover.Patroni ?? throw new ArgumentException($"stack {spec.Stack} is not in patroni mode", nameof(spec));
        var pg = placement.Postgres;
        var address = pg.AddressOf(node);
        var rest = $"{placement.Host}:{patroni.RestPortOf(spec, node)}";
        var settings = PostgresConf.Settings(spec, pg, node);
        string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

        List<YamlEntry> dcs =
        [
            new("ttl", patroni.Timings.Ttl, $"the leader lease (s); profile {patroni.Profile.ToString().ToLowerInvariant()}: a lost primary is replaced after what is left of it"),
            new("loop_wait", patroni.Timings.LoopWait, "seconds between HA loops"),
            new("retry_timeout", patroni.Timings.RetryTimeout, "etcd and PostgreSQL are retried this long; an etcd outage longer than this demotes the leader"),
            new("maximum_lag_on_failover", patroni.MaximumLagOnFailover.Bytes, "bytes: a replica further behind is never promoted"),
            new("synchronous_mode", patroni.SynchronousMode, patroni.SynchronousMode
                ? "topology sync: Patroni sets synchronous_standby_names and promotes only a synchronous standby"
                : $"topology {spec.Topology.ToString().ToLowerInvariant()}: asynchronous replication"),
        ];
        if (patroni.SynchronousMode && spec.Synchronous is { } sync)
        {
            dcs.Add(new("synchronous_mode_strict", patroni.SynchronousModeStrict, patroni.SynchronousModeStrict
                ? "with no synchronous standby left, commits wait rather than go asynchronous"
                : "with no synchronous standby left, Patroni lets commits go asynchronous rather than stop writes"));
            dcs.Add(new("synchronous_node_count", sync.Count, $"synchronous.count: FIRST {sync.Count}"));
        }

        dcs.Add(new("postgresql", new YamlEntry[]
        {
            new("use_pg_rewind", true, "a failed primary rejoins by pg_rewind (wal_log_hints is on)"),
            new("use_slots", true, "Patroni keeps a physical slot per member on whichever node it streams from (pg-2 -> pg_2)"),
            new("parameters", ClusterParameters(spec, pg).Select(p => new YamlEntry(p.Key, p.Value)).ToList(),
                "the cluster's PostgreSQL settings, rendered by pgha's PostgresConf exactly as in manual mode"),
        }));

        List<YamlEntry> postgresql =
        [
            new("listen", $"{address.Host}:{Int(address.Port)}", "nodes[].port, loopback only"),
            new("connect_address", $"{address.Host}:{Int(address.Port)}", "what other members and HAProxy connect to"),
            new("data_dir", placement.DataDirectories[node.Name]),
            new("bin_dir", placement.BinDirectory, "the PostgreSQL binaries pgha located"),
            new("pgpass", placement.PatroniPassfile[node.Name], "Patroni writes this 0600 passfile and names it in primary_conninfo"),
            new("use_unix_socket", false, "Patroni connects over TCP with a password, as pg_hba.conf asks"),
            new("authentication", new YamlEntry[]
            {
                new("superuser", new YamlEntry[] { new("username", spec.Replication.Superuser) }),
                new("replication", new YamlEntry[] { new("username", spec.Replication.User) }),
            }, "passwords come from the environment the supervisor gives Patroni, never from this file; pg_rewind runs as the superuser"),
            new("parameters", settings.Where(s => NodeLocal.Contains(s.Name)).Select(s => new YamlEntry(s.Name, Unquote(s.Value), s.Reason)).ToList()),
        ];
        if (node.ApplyDelay is { } delay && delay > TimeSpan.Zero)
        {
            postgresql.Add(new("recovery_conf", new YamlEntry[]
            {
                new("recovery_min_apply_delay", DurationText.ToPostgres(delay), "delayed disaster-recovery replica: a mistaken DROP can still be recovered from it"),
            }));
        }

        postgresql.Add(new("pg_hba", PgHba.Render(spec, pg).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(StripComment).Cast<object>().ToList(),
            "pgha's PgHba rows: SCRAM everywhere, replication only for the replication user"));

        List<YamlEntry> tags =
        [
            new("nofailover", node.IsDelayed, node.IsDelayed ? "a delayed replica is never promoted" : "may be promoted"),
            new("noloadbalance", node.IsDelayed, node.IsDelayed ? "its reads would be an hour old: HAProxy's /replica check refuses it" : "serves the read port"),
            new("clonefrom", false),
            new("nosync", !IsSynchronousCandidate(spec, node), IsSynchronousCandidate(spec, node)
                ? "a synchronous candidate (synchronous.standbys)" : "never a synchronous standby"),
        ];
        if (node.Upstream is { } upstream && upstream != spec.Primary && spec.HasNode(upstream))
        {
            tags.Add(new("replicatefrom", upstream, $"cascading: streams from {upstream}, not from the leader"));
        }

        var document = YamlText.Write(
        [
            new("scope", spec.Name, "the cluster; one leader key per scope"),
            new("namespace", PatroniPlacement.Namespace),
            new("name", node.Name, "also the replication application_name, as in manual mode"),
            new("restapi", new YamlEntry[]
            {
                new("listen", rest, "HAProxy's health checks (/primary, /replica) and pgha's switchover/failover"),
                new("connect_address", rest),
            }),
            new("etcd3", new YamlEntry[]
            {
                new("hosts", Enumerable.Range(0, patroni.Dcs.Members).Select(i => (object)$"{placement.Host}:{Int(patroni.Dcs.ClientPortOf(i))}").ToList(),
                    $"{patroni.Dcs.Members} etcd member(s)"),
            }),
            new("bootstrap", new YamlEntry[]
            {
                new("dcs", dcs, "what the cluster shares; after bootstrap pgha changes it through Patroni's dynamic configuration (PATCH /config)"),
                new("initdb", new object[]
                {
                    new YamlEntry("encoding", "UTF8"), new YamlEntry("locale", "C"), new YamlEntry("auth-local", "peer"), new YamlEntry("auth-host", "scram-sha-256"),
                }.ToList(), "as the manual mode's initdb"),
            }),
            new("postgresql", postgresql),
            new("watchdog", new YamlEntry[] { new("mode", patroni.Watchdog) },
                "pgha's node supervisor fences PostgreSQL when Patroni dies or stops renewing its lease; production hosts add the kernel's watchdog (softdog)"),
            new("tags", tags),
        ]);
        var role = spec.IsPrimary(node) ? "the stack's primary" : $"replica of {spec.UpstreamOf(node)!.Name}";
        return $"# patroni.yml for {node.Name} ({role}) in cluster \"{spec.Name}\". Rendered by pgha from stack \"{spec.Stack}\". Do not edit: pgha rewrites this file.\n" + document;
    }

    /// <summary>Patroni's synchronous candidates: the stack's synchronous.standbys (sync topology), every direct replica never.</summary>
    public static bool IsSynchronousCandidate(ClusterSpec spec, NodeSpec node) =>
        spec.Failover.Patroni is { SynchronousMode: true } && !node.IsDelayed && spec.Synchronous is { } sync && (sync.Standbys.Contains(node.Name) || spec.IsPrimary(node));

    private static string StripComment(string line) => (line.IndexOf('#', StringComparison.Ordinal) is var at and > 0 ? line[..at] : line).TrimEnd();

    /// <summary>A postgresql.conf value without its single quotes: Patroni quotes values itself.</summary>
    public static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '\'' && value[^1] == '\''
            ? value[1..^1].Replace("''", "'", StringComparison.Ordinal)
            : value;
}

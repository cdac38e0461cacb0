using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering;

/// <summary>
/// Renders each node's postgresql.conf: the single source of truth for PostgreSQL settings. Pure: text in, text out;
/// the engines write it. Every setting carries a one-line reason, and user overrides come last under their own heading.
/// </summary>
public static partial class PostgresConf
{
    public static ImmutableArray<PostgresSetting> Settings(ClusterSpec spec, ClusterPlacement placement, NodeSpec node)
    {
        var settings = ImmutableArray.CreateBuilder<PostgresSetting>();
        void Add(string group, string name, string value, string reason) => settings.Add(new PostgresSetting(group, name, value, reason));
        string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

        const string Connections = "connections";
        Add(Connections, "listen_addresses", PostgresSetting.Quote(placement.ListenAddresses),
            placement.ListenAddresses == "*" ? "every interface of the container; pg_hba.conf admits only the cluster's network" : "loopback only: the local engine serves this machine");
        Add(Connections, "port", Int(placement.AddressOf(node).Port), placement.Target == "docker" ? "inside the container; the stack's port is published on the host" : "from the stack's nodes[].port");
        if (placement.SocketDirectory is { } socketDirectory)
        {
            Add(Connections, "unix_socket_directories", PostgresSetting.Quote(socketDirectory), "a directory the server's OS user owns; sockets are told apart by port");
        }

        Add(Connections, "cluster_name", PostgresSetting.Quote(node.Name), "names the server in ps output and its logs");
        Add(Connections, "password_encryption", "'scram-sha-256'", "pg_hba.conf requires SCRAM; md5 verifiers would be refused");

        const string Wal = "write-ahead log";
        Add(Wal, "wal_level", "'replica'", "streaming replicas need WAL with enough detail to replay");
        Add(Wal, "max_wal_senders", Int(ReplicationCapacity.WalSenders(spec)),
            ReplicationCapacity.RequiredWalSenders(spec) == spec.ReplicaCount + 2
                ? $"{spec.ReplicaCount} replicas + 2 for pg_basebackup + 2 spare; the same on every node, as standbys require"
                : $"never below 3 (for {spec.ReplicaCount} replicas + 2 for pg_basebackup) + 2 spare; the same on every node, as standbys require");
        Add(Wal, "max_replication_slots", Int(ReplicationCapacity.ReplicationSlots(spec)),
            "room for a slot per replica on whichever node is primary, plus spare");
        Add(Wal, "wal_keep_size", PostgresSetting.Quote(spec.Wal.KeepSize.ToPostgres()), "WAL kept for pg_rewind and for replicas that lost their slot");
        Add(Wal, "max_slot_wal_keep_size", spec.Wal.MaxSlotKeepSize is { } cap ? PostgresSetting.Quote(cap.ToPostgres()) : "-1",
            spec.Wal.MaxSlotKeepSize is null ? "unlimited: an inactive slot may hold WAL until the disk fills; pgha lag alerts on it" : "caps WAL a dead replica's slot can hold back, so it cannot fill the disk");
        Add(Wal, "wal_log_hints", "on", "pg_rewind needs it to bring a failed primary back as a replica");

        const string Standby = "standby";
        Add(Standby, "hot_standby", "on", "replicas serve read-only queries (the read endpoint)");
        Add(Standby, "hot_standby_feedback", "on", "queries on replicas are not cancelled by vacuum on the primary");
        Add(Standby, "wal_retrieve_retry_interval", "'1s'", "replicas retry their upstream every second, not every 5 s, after a switchover");

        if (spec.Backup is not null)
        {
            const string Archiving = "archiving (pgBackRest)";
            Add(Archiving, "archive_mode", "on", "every node archives while it is primary (standbys do not), so after a failover the new primary archives on its timeline");
            Add(Archiving, "archive_command", PostgresSetting.Quote(PgBackRestConf.ArchiveCommand(spec, placement, node)), $"pgBackRest pushes each finished segment to stanza {spec.Stanza}");
            Add(Archiving, "archive_timeout", "'60s'", "a quiet primary still closes a segment every minute: the archive is never more than a minute behind");
        }

        if (spec.IsPrimary(node))
        {
            if (spec.Synchronous is { } sync && spec.SynchronousCandidates.Any())
            {
                const string Sync = "synchronous replication";
                Add(Sync, "synchronous_standby_names", PostgresSetting.Quote(SynchronousStandbyNames(sync, spec)),
                    sync.Method == SyncMethod.Any ? $"quorum: a commit waits for any {sync.Count} of these standbys" : $"priority: a commit waits for the first {sync.Count} connected standbys in this order");
                Add(Sync, "synchronous_commit", PostgresSetting.Quote(sync.Commit), sync.Commit switch
                {
                    "remote_apply" => "a commit returns once the standbys have applied it, so reads there see it",
                    "remote_write" => "a commit returns once the standbys have written it to their OS",
                    _ => "a commit returns once the standbys have flushed it to disk",
                });
            }
        }
        else
        {
            var upstream = spec.UpstreamOf(node)!;
            const string Recovery = "recovery (replica)";
            Add(Recovery, "primary_conninfo", PostgresSetting.Quote(PrimaryConnInfo(spec, placement, node, upstream)),
                $"streams from {upstream.Name}; the password comes from the passfile, never inline");
            Add(Recovery, "primary_slot_name", PostgresSetting.Quote(node.SlotName), $"its slot on {upstream.Name} keeps the WAL it has not received yet");
            Add(Recovery, "recovery_target_timeline", "'latest'", "follows a promoted primary onto its new timeline");
            if (spec.Backup is not null)
            {
                Add(Recovery, "restore_command", PostgresSetting.Quote(PgBackRestConf.RestoreCommand(spec, placement, node)),
                    "WAL it lacks comes from the repository whichever node is primary: a delayed replica reconnects to no one while it waits out its delay");
            }

            if (node.ApplyDelay is { } delay && delay > TimeSpan.Zero)
            {
                Add(Recovery, "recovery_min_apply_delay", PostgresSetting.Quote(DurationText.ToPostgres(delay)),
                    "delayed disaster-recovery replica: a mistaken DROP can still be recovered from it");
            }
        }

        return Overridden(settings.ToImmutable(), spec);
    }

    /// <summary>Applies the stack's parameters: a derived setting keeps its place with the new value, others follow at the end.</summary>
    private static ImmutableArray<PostgresSetting> Overridden(ImmutableArray<PostgresSetting> derived, ClusterSpec spec)
    {
        var overrides = spec.Parameters;
        var result = derived.Select(s => overrides.TryGetValue(s.Name, out var value)
            ? s with { Value = Format(value), Reason = $"set in the stack's parameters (pgha would render {s.Value})" }
            : s);
        var extra = overrides.Where(p => derived.All(s => s.Name != p.Key))
            .Select(p => new PostgresSetting("stack parameters", p.Key, Format(p.Value), "set in the stack's parameters"));
        return [.. result, .. extra];
    }

    /// <summary>
    /// Values that postgresql.conf's lexer reads as one identifier or one number (with a unit) go bare; anything else
    /// is quoted, which the server accepts for every type. "1-2" or "1.5.3" would otherwise be a syntax error.
    /// </summary>
    private static string Format(string value) =>
        BareValue().IsMatch(value) ? value : PostgresSetting.Quote(value);

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_.:/-]*|[+-]?\d+[A-Za-z]*|[+-]?\d*\.\d+([Ee][+-]?\d+)?)$")]
    private static partial Regex BareValue();

    public static string SynchronousStandbyNames(SynchronousSpec sync, ClusterSpec spec)
    {
        var names = string.Join(", ", spec.SynchronousCandidates.Select(n => $"\"{n.Name}\""));
        return $"{(sync.Method == SyncMethod.Any ? "ANY" : "FIRST")} {sync.Count} ({names})";
    }

    public static string PrimaryConnInfo(ClusterSpec spec, ClusterPlacement placement, NodeSpec node, NodeSpec upstream)
    {
        var address = placement.AddressOf(upstream);
        return ConnInfo.Format(
        [
            new("host", address.Host),
            new("port", address.Port.ToString(CultureInfo.InvariantCulture)),
            new("user", spec.Replication.User),
            new("passfile", placement.PassfilePath),
            new("application_name", node.Name),
            new("connect_timeout", "2"),
        ]);
    }

    private const int ReasonColumn = 52;

    public static string Render(ClusterSpec spec, ClusterPlacement placement, NodeSpec node)
    {
        var role = spec.IsPrimary(node) ? "primary" : $"replica of {spec.UpstreamOf(node)!.Name}";
        return Format(
            $"# postgresql.conf for {node.Name} ({role}) in cluster \"{spec.Name}\", target {placement.Target}.\n" +
            $"# Rendered by pgha from stack \"{spec.Stack}\". Do not edit: pgha rewrites this file.\n" +
            "# Settings not listed keep PostgreSQL's defaults.\n",
            Settings(spec, placement, node));
    }

    /// <summary>Settings under a heading, grouped, each with its reason in one column: the layout of every rendered conf file.</summary>
    public static string Format(string heading, IReadOnlyCollection<PostgresSetting> settings)
    {
        var text = new StringBuilder(heading);
        if (settings.Count == 0)
        {
            return text.ToString();
        }

        // Reasons line up in one column; a setting longer than the column (a conninfo) just runs past it.
        var width = Math.Min(ReasonColumn, settings.Max(s => s.Name.Length + 3 + s.Value.Length));
        foreach (var group in settings.GroupBy(s => s.Group))
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"# --- {group.Key}");
            foreach (var setting in group)
            {
                var line = $"{setting.Name} = {setting.Value}";
                text.Append(line).Append(' ', Math.Max(2, width - line.Length + 2)).Append("# ").AppendLine(setting.Reason);
            }
        }

        return text.ToString();
    }
}

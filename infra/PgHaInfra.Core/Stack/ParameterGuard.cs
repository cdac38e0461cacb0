using System.Globalization;
using System.Text.RegularExpressions;
using PgHaInfra.Parameters;
using PgHaInfra.Spec;
using PgHaInfra.Messages;

namespace PgHaInfra.Stack;

/// <summary>
/// Lets users override PostgreSQL parameters, and refuses, with the reason, any override that would break
/// replication, failover or rejoin, that would fight a setting pgha derives from the spec, that walks around this
/// guard or lets a standby promote itself, or that the target major would refuse at start (checked against its own
/// list of names, types, ranges and enum values, <see cref="PostgresParameters"/>).
/// </summary>
internal static partial class ParameterGuard
{
    /// <summary>Parameters that pgha renders from other keys; overriding them here would make two sources of truth.</summary>
    private static readonly Dictionary<string, string> Managed = new(StringComparer.Ordinal)
    {
        ["port"] = "nodes[].port",
        ["listen_addresses"] = "the engine (loopback locally, every interface inside a container)",
        ["cluster_name"] = "nodes[].name",
        ["primary_conninfo"] = "nodes[].upstream and replication.user",
        ["primary_slot_name"] = "nodes[].name (one slot per replica)",
        ["synchronous_standby_names"] = "synchronous.method, synchronous.count and synchronous.standbys",
        ["synchronous_commit"] = "synchronous.commit",
        ["recovery_min_apply_delay"] = "nodes[].delay",
        ["recovery_target_timeline"] = "pgha (always latest, so replicas follow a promotion)",
        ["wal_keep_size"] = "wal.keepSize",
        ["max_slot_wal_keep_size"] = "wal.maxSlotKeepSize",
        ["hba_file"] = "pgha (pg_hba.conf is rendered)",
        ["config_file"] = "pgha (postgresql.conf is rendered)",
        ["data_directory"] = "the engine",
        ["unix_socket_directories"] = "the engine",
    };

    /// <summary>
    /// Refused whatever their value, each with the reason. A standby promotes only through pgha switchover or failover,
    /// which fence the old primary first; anything that lets one promote by itself makes two primaries.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Refused = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["include"] = "is a directive that reads another file into postgresql.conf, whose settings would bypass every check here",
        ["include_dir"] = "is a directive that reads every file of a folder into postgresql.conf, whose settings would bypass every check here",
        ["include_if_exists"] = "is a directive that reads another file into postgresql.conf, whose settings would bypass every check here",
        ["promote_trigger_file"] = "lets anyone who can create that file promote a replica by itself, without fencing the primary",
        ["recovery_target"] = RecoveryTarget,
        ["recovery_target_action"] = RecoveryTarget,
        ["recovery_target_inclusive"] = RecoveryTarget,
        ["recovery_target_lsn"] = RecoveryTarget,
        ["recovery_target_name"] = RecoveryTarget,
        ["recovery_target_time"] = RecoveryTarget,
        ["recovery_target_xid"] = RecoveryTarget,
    };

    private const string RecoveryTarget = "sets a recovery target, which ends recovery: with recovery_target_action = promote a standby promotes itself, "
        + "with pause or shutdown it stops following its upstream";

    public static void Check(ClusterSpec spec, IReadOnlyDictionary<string, int?> locations, List<StackError> errors)
    {
        var context = new RuleContext(spec, locations, errors);
        var catalog = PostgresParameters.For(spec.Postgres.Version);
        foreach (var (name, value) in spec.Parameters)
        {
            var path = $"parameters.{name}";
            if (Shown.HasControl(name) || !ParameterName().IsMatch(name))
            {
                context.Error(path, value, $"{Shown.Quote(name)} is not a PostgreSQL parameter name", "lowercase letters, digits, '_' and '.'");
            }
            else if (Shown.HasControl(value))
            {
                // postgresql.conf is one setting per line; a newline in a value would end it early or inject another.
                context.Error(path, value, $"contains a control character ({Shown.FirstControl(value)})", "a value on one line, without control characters");
            }
            else if (Refused.TryGetValue(name, out var reason))
            {
                context.Error(path, value, $"is refused: it {reason}", "no override of " + name);
            }
            else if (Managed.TryGetValue(name, out var owner))
            {
                context.Error(path, value, $"is managed by pgha and cannot be overridden", $"set {owner} instead");
            }
            else if (Definition(catalog, name, value) is { } unknown)
            {
                context.Error(path, value, unknown.Problem, unknown.Allowed, unknown.Suggestion);
            }
            else if (Refusal(spec, name, value) is { } refusal)
            {
                context.Error(path, value, refusal.Problem, refusal.Allowed);
            }
        }
    }

    /// <summary>
    /// The name must be one of the target major's parameters (an extension's "ext.name" cannot be known, so it passes),
    /// settable, and the value of its type and in its range.
    /// </summary>
    private static (string Problem, string Allowed, string? Suggestion)? Definition(ParameterCatalog catalog, string name, string value)
    {
        if (name.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        if (catalog.Find(name) is not { } parameter)
        {
            return ($"is not a parameter of PostgreSQL {catalog.Major}", $"a parameter of PostgreSQL {catalog.Major} (postgres --describe-config), or an extension's ext.name",
                Spelling.Nearest(name, catalog.Names.Select(n => n.ToLowerInvariant())));
        }

        if (parameter.Context == "internal")
        {
            return ("is fixed when PostgreSQL is built or the cluster is initialised; the server ignores it in postgresql.conf", "no override of " + name, null);
        }

        return ParameterValue.Check(parameter, value) is { } problem
            ? (problem.Problem, $"{problem.Allowed} ({name} is {Article(parameter.Type)} {parameter.Type} in PostgreSQL {catalog.Major})", null)
            : null;
    }

    private static (string Problem, string Allowed)? Refusal(ClusterSpec spec, string name, string value)
    {
        var normalized = value.Trim().ToLowerInvariant();
        switch (name)
        {
            case "wal_level" when normalized is not ("replica" or "logical"):
                return ("breaks replication: streaming replicas need WAL at level replica or above", "replica, logical");
            case "hot_standby" when !IsOn(normalized):
                return ("breaks read replicas: with hot_standby off a replica refuses every connection, so reads and the streaming check fail", "on");
            case "wal_log_hints" when !IsOn(normalized):
                return ("breaks rejoin: pg_rewind needs wal_log_hints (or data checksums) to bring an old primary back", "on");
            case "full_page_writes" when !IsOn(normalized):
                return ("breaks rejoin: pg_rewind refuses to run without full_page_writes", "on");
            case "password_encryption" when normalized != "scram-sha-256":
                return ("weakens the replication password: pg_hba.conf requires scram-sha-256", "scram-sha-256");
            case "default_transaction_read_only" when IsOn(normalized):
                return ("breaks the write endpoint: the primary would look read-only to target_session_attrs=read-write, so writes find no server", "off");
            case "max_wal_senders":
                return AtLeast(normalized, ReplicationCapacity.RequiredWalSenders(spec),
                    $"one sender per replica ({spec.ReplicaCount}) plus two for pg_basebackup, never below 3");
            case "max_replication_slots":
                return AtLeast(normalized, ReplicationCapacity.RequiredReplicationSlots(spec),
                    $"one slot per replica ({spec.ReplicaCount}), since after a failover the new primary holds a slot for each");
            default:
                return null;
        }
    }

    private static string Article(string type) => type is "integer" or "enum" ? "an" : "a";

    private static (string, string)? AtLeast(string value, int required, string why) =>
        !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? ("is not a whole number", $"a whole number of at least {required}: {why}")
            : n < required
                ? ($"is below what the topology needs: {why}", $"a whole number of at least {required}")
                : null;

    private static bool IsOn(string value) => ParameterValue.TryParseBool(value, out var on) && on;

    // \z, not $: "wal_level\n" must not pass as wal_level's neighbour and walk around the guard.
    [GeneratedRegex(@"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?\z")]
    private static partial Regex ParameterName();
}

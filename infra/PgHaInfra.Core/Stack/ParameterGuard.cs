using System.Globalization;
using System.Text.RegularExpressions;
using PgHaInfra.Spec;

namespace PgHaInfra.Stack;

/// <summary>
/// Lets users override PostgreSQL parameters, and refuses, with the reason, any override that would break
/// replication, failover or rejoin, or that would fight a setting pgha derives from the spec.
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

    public static void Check(ClusterSpec spec, IReadOnlyDictionary<string, int?> locations, List<StackError> errors)
    {
        var context = new RuleContext(spec, locations, errors);
        foreach (var (name, value) in spec.Parameters)
        {
            var path = $"parameters.{name}";
            if (!ParameterName().IsMatch(name))
            {
                context.Error(path, value, $"'{name}' is not a PostgreSQL parameter name", "lowercase letters, digits, '_' and '.'");
            }
            else if (value.Any(char.IsControl))
            {
                // postgresql.conf is one setting per line; a newline in a value would end it early or inject another.
                context.Error(path, value.ReplaceLineEndings(" "), "contains a line break or control character", "a value on one line");
            }
            else if (Managed.TryGetValue(name, out var owner))
            {
                context.Error(path, value, $"is managed by pgha and cannot be overridden", $"set {owner} instead");
            }
            else if (Refusal(spec, name, value) is { } refusal)
            {
                context.Error(path, value, refusal.Problem, refusal.Allowed);
            }
        }
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

    private static (string, string)? AtLeast(string value, int required, string why) =>
        !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? ("is not a whole number", $"a whole number of at least {required}: {why}")
            : n < required
                ? ($"is below what the topology needs: {why}", $"a whole number of at least {required}")
                : null;

    private static bool IsOn(string value) => value is "on" or "true" or "yes" or "1";

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")]
    private static partial Regex ParameterName();
}

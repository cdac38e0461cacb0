using System.Collections.Immutable;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering;

/// <summary>SQL that prepares a node for replication. Every statement is idempotent, so re-running it converges.</summary>
public static class BootstrapSql
{
    /// <summary>What <c>pgha render</c> shows instead of a real verifier, which is computed at apply time.</summary>
    public const string VerifierPlaceholder = "SCRAM-SHA-256$<verifier of the generated password, supplied at apply time>";

    /// <summary>
    /// Heads every bootstrap script. It runs before any synchronous standby can exist (they clone from this very
    /// server), so with synchronous_standby_names already rendered its commits would otherwise wait forever.
    /// </summary>
    public const string SessionSettings = "SET synchronous_commit = local;  -- no standby can acknowledge yet\n";

    /// <summary>
    /// The table the post-deploy check writes its canary rows into. Made at bootstrap, so replicas clone it and the
    /// check itself commits one small row instead of catalog changes.
    /// </summary>
    public static readonly ImmutableArray<string> CanaryTable =
    [
        "CREATE SCHEMA IF NOT EXISTS pgha",
        "CREATE TABLE IF NOT EXISTS pgha.canary (token text PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())",
    ];

    /// <summary>The node's whole bootstrap script: on the primary the role and the canary table, and on every node the slots of its downstreams.</summary>
    public static string ForNode(ClusterSpec spec, NodeSpec node, string scramVerifier) =>
        SessionSettings + (spec.IsPrimary(node) ? ReplicationRole(spec, scramVerifier) + Canary() : "") + Slots(spec, node);

    private static string Canary() =>
        "-- The post-deploy check's canary: a row written here must become visible on every replica.\n" + string.Concat(CanaryTable.Select(statement => statement + ";\n")) + "\n";

    /// <summary>
    /// Creates or updates the replication role. It takes a SCRAM verifier, not a password, so the secret never
    /// reaches the server's logs or pg_stat_statements.
    /// </summary>
    public static string ReplicationRole(ClusterSpec spec, string scramVerifier)
    {
        var role = QuoteIdentifier(spec.Replication.User);
        return $"""
            -- The replication role of cluster "{spec.Name}": it may stream WAL and take base backups, nothing else.
            DO $pgha$
            BEGIN
              IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {QuoteLiteral(spec.Replication.User)}) THEN
                CREATE ROLE {role} WITH LOGIN REPLICATION;
              END IF;
            END
            $pgha$;
            ALTER ROLE {role} WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {QuoteLiteral(scramVerifier)};

            """;
    }

    /// <summary>One physical slot per replica that streams from <paramref name="node"/>, with WAL reserved at once.</summary>
    public static string Slots(ClusterSpec spec, NodeSpec node)
    {
        var downstreams = spec.DownstreamsOf(node).ToList();
        if (downstreams.Count == 0)
        {
            return $"-- {node.Name} has no replicas streaming from it, so it needs no slots.\n";
        }

        // Reserving WAL at creation matters: a slot created without it was invalidated by a concurrent checkpoint.
        return $"-- Slots on {node.Name}: one per replica streaming from it, WAL reserved immediately.\n" + string.Concat(downstreams.Select(d => CreateSlot(d.SlotName) + ";\n"));
    }

    /// <summary>
    /// Creates one physical slot with WAL reserved, unless it exists; it returns a row only when it created one. The
    /// one statement every slot creation runs: bootstrap.sql, `up`, and the re-pointing of a failover.
    /// </summary>
    public static string CreateSlot(string slot) =>
        $"SELECT pg_catalog.pg_create_physical_replication_slot({QuoteLiteral(slot)}, true) " +
        $"WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_replication_slots WHERE slot_name = {QuoteLiteral(slot)})";

    public static string QuoteLiteral(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";

    public static string QuoteIdentifier(string value) => $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}

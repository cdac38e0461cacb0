using Npgsql;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Physical slots by SQL. Slots are not replicated, so a replica's slot must be created on its new upstream before it
/// is re-pointed there, and the slots it left behind must be dropped or they hold WAL until the disk fills.
/// </summary>
public static class Slots
{
    /// <summary>Creates <paramref name="slot"/> with WAL reserved at once (gotcha 1), unless it exists. True if created.</summary>
    public static async Task<bool> EnsureAsync(NpgsqlDataSource upstream, string slot, CancellationToken cancellationToken)
    {
        await using var command = upstream.CreateCommand(BootstrapSql.CreateSlot(slot));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken);
    }

    /// <summary>
    /// The one slot policy, for `up`, switchover, failover and rejoin alike: a slot is pgha's only when it is named as
    /// pgha names replicas' slots (the node name with '-' as '_', <see cref="NodeSpec.SlotName"/>) for a node pgha
    /// knows (<paramref name="nodes"/>: the stack's, and those the engine made). Any other slot is the user's
    /// (Barman, pg_receivewal, a logical decoder): reported, never dropped.
    /// </summary>
    public static bool IsPghas(string slot, IEnumerable<string> nodes) => nodes.Any(n => n.Replace('-', '_') == slot);

    /// <summary>
    /// Drops the inactive slots on <paramref name="node"/> that belong to cluster nodes no longer streaming from it.
    /// Slots with other names are the user's and are left alone; an active one is in use and is left too.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DropOrphansAsync(ClusterSpec spec, NodeSpec node, NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        var expected = spec.DownstreamsOf(node).Select(d => d.SlotName).ToHashSet(StringComparer.Ordinal);
        var ours = spec.Nodes.Select(n => n.SlotName).Where(s => !expected.Contains(s)).ToArray();
        var orphans = new List<string>();
        await using (var query = source.CreateCommand(
            "SELECT slot_name::text FROM pg_replication_slots WHERE slot_type = 'physical' AND NOT active AND slot_name = ANY($1)"))
        {
            query.Parameters.AddWithValue(ours);
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                orphans.Add(reader.GetString(0));
            }
        }

        var dropped = new List<string>();
        foreach (var slot in orphans)
        {
            if (await DropIfInactiveAsync(source, slot, cancellationToken))
            {
                dropped.Add(slot);
            }
        }

        return dropped;
    }

    /// <summary>
    /// Drops <paramref name="slot"/> only while nothing streams through it: pgha never terminates a walsender to drop a
    /// slot. False when it is active (or gone).
    /// </summary>
    public static async Task<bool> DropIfInactiveAsync(NpgsqlDataSource source, string slot, CancellationToken cancellationToken)
    {
        await using var drop = source.CreateCommand(
            "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active");
        drop.Parameters.AddWithValue(slot);
        try
        {
            return await drop.ExecuteScalarAsync(cancellationToken) is long and > 0;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse)
        {
            // It became active between the check and the drop: in use after all.
            return false;
        }
    }
}

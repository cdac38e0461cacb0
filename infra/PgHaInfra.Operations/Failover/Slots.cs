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
    /// Drops the inactive slots on <paramref name="node"/> that belong to cluster nodes no longer streaming from it.
    /// Slots with other names are the user's and are left alone.
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
            // Only while still inactive: a slot that became active in between is in use after all.
            await using var drop = source.CreateCommand(
                "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active");
            drop.Parameters.AddWithValue(slot);
            if (await drop.ExecuteScalarAsync(cancellationToken) is long and > 0)
            {
                dropped.Add(slot);
            }
        }

        return dropped;
    }
}

using System.Collections.Immutable;
using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Status;

/// <summary>Reads each node's status from PostgreSQL itself (engine-agnostic): role, upstream, LSNs, walsender state, lag.</summary>
public static class ClusterStatusReader
{
    public static async Task<ImmutableArray<NodeStatus>> ReadAsync(ClusterAccess access, CancellationToken cancellationToken)
    {
        var spec = access.Spec;
        string? primaryLsn = null;
        var raw = await Task.WhenAll(spec.Nodes.Select(n => ReadNodeAsync(access, n.Name, cancellationToken))).ConfigureAwait(false);
        var byName = raw.ToDictionary(r => r.Name, StringComparer.Ordinal);
        if (byName.TryGetValue(spec.Primary, out var primary) && primary.Role == "primary")
        {
            primaryLsn = primary.Lsn;
        }

        var result = ImmutableArray.CreateBuilder<NodeStatus>();
        foreach (var node in spec.Nodes)
        {
            var status = byName[node.Name];
            var upstream = spec.UpstreamOf(node);
            if (upstream is null)
            {
                result.Add(status);
                continue;
            }

            var (state, sync, lagSeconds) = await SenderAsync(access, upstream.Name, node.Name, cancellationToken).ConfigureAwait(false);
            long? lag = primaryLsn is not null && status.Lsn is not null ? await DiffAsync(access, spec.Primary, primaryLsn, status.Lsn, cancellationToken).ConfigureAwait(false) : null;
            // Caught up (received = replayed) means no time lag, whatever a stale replay_lag says.
            var seconds = status.Lsn is not null && status.Lsn == status.ReceiveLsn ? 0 : lagSeconds;
            result.Add(status with { Upstream = upstream.Name, State = state, SyncState = sync, LagBytes = lag, LagSeconds = seconds });
        }

        return result.ToImmutable();
    }

    private static async Task<NodeStatus> ReadNodeAsync(ClusterAccess access, string node, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = access.DataSource(node).CreateCommand("""
                SELECT pg_catalog.pg_is_in_recovery(),
                       CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_lsn() END::text,
                       pg_catalog.pg_last_wal_receive_lsn()::text,
                       (SELECT status FROM pg_catalog.pg_stat_wal_receiver)
                """);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new NodeStatus(node, reader.GetBoolean(0) ? "replica" : "primary", null, null, null,
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                null, null, null);
        }
        catch (NpgsqlException e)
        {
            return new NodeStatus(node, "unreachable", null, null, null, null, null, null, null, null, e.Message);
        }
    }

    private static async Task<(string? State, string? Sync, double? LagSeconds)> SenderAsync(ClusterAccess access, string upstream, string replica, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = access.DataSource(upstream).CreateCommand(
                "SELECT state, sync_state, extract(epoch FROM replay_lag)::float8 FROM pg_catalog.pg_stat_replication WHERE application_name = $1 ORDER BY (state = 'streaming') DESC LIMIT 1");
            command.Parameters.Add(new NpgsqlParameter { Value = replica });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return (null, null, null);
            }

            return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? 0 : reader.GetDouble(2));
        }
        catch (NpgsqlException)
        {
            return (null, null, null);
        }
    }

    private static async Task<long?> DiffAsync(ClusterAccess access, string node, string a, string b, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = access.DataSource(node).CreateCommand("SELECT pg_catalog.pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::bigint");
            command.Parameters.Add(new NpgsqlParameter { Value = a, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = b, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long diff ? Math.Max(0, diff) : null;
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }
}

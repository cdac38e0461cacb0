using Npgsql;
using PgHaInfra.Rendering;

namespace PgHaInfra.Local;

/// <summary>
/// `up --adopt`: records the data directories that hold a cluster but that state.json does not know (it was lost,
/// or set aside because it was unreadable), as they are, deleting nothing. A node's role is what it is now: a running
/// server's pg_is_in_recovery(), else standby.signal. The primary is recorded only when exactly one node can be it.
/// </summary>
public static class Adoption
{
    public static async Task AdoptAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        var spec = cluster.StackSpec;
        var layout = cluster.Layout;
        var access = await cluster.RequireAccessAsync(cancellationToken).ConfigureAwait(false);
        var state = cluster.State ?? EngineState.Empty(spec.Stack, spec.Name);
        var writable = new List<string>();
        var adopted = new List<NodeRecord>();
        foreach (var node in spec.Nodes)
        {
            var dir = layout.DataDirectory(node.Name);
            if (!ClusterObserver.HoldsCluster(dir) || File.Exists(layout.CreatingMarker(node.Name)))
            {
                continue;
            }

            var primary = await IsPrimaryAsync(access.DataSource(node.Name), dir, cancellationToken).ConfigureAwait(false);
            if (primary)
            {
                writable.Add(node.Name);
            }

            if (!state.HasNode(node.Name))
            {
                adopted.Add(new NodeRecord(node.Name, node.Port, primary ? "primary" : "replica", primary ? null : spec.UpstreamOf(node)?.Name, DateTimeOffset.UtcNow));
            }
        }

        if (writable.Count > 1)
        {
            throw new LocalEngineException(
                $"up --adopt refused: {string.Join(" and ", writable)} could each be the primary (out of recovery, or no standby.signal); pgha will not choose " +
                "between two primaries. Keep one: stop the other and put standby.signal in its data directory, then adopt again");
        }

        var primaryName = state.Primary ?? writable.SingleOrDefault()
            ?? throw new LocalEngineException(
                "up --adopt refused: no data directory can be the primary (every one is a standby's, or none holds a cluster); " +
                "promote the most advanced standby by hand (pg_ctl promote), then adopt again, or make a new cluster with `pgha up --rebuild NODE`");
        if (state.Primary is { } recorded && writable.Count == 1 && writable[0] != recorded)
        {
            throw new LocalEngineException(
                $"up --adopt refused: state.json records {recorded} as the primary, but {writable[0]} is the one that can accept writes; " +
                $"record it with `pgha failover --adopt {writable[0]}` first");
        }

        await cluster.Store.UpdateAsync(spec.Stack, spec.Name, s =>
        {
            var next = adopted.Aggregate(s, (acc, record) => acc.WithNode(record));
            return s.Primary is null
                ? next.WithPrimary(primaryName, $"adopted by `up --adopt` at {DateTimeOffset.UtcNow:O}: the only data directory that can accept writes " +
                                                "(out of recovery, or without standby.signal); state.json did not record a primary")
                : next;
        }, cancellationToken).ConfigureAwait(false);
        await cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> IsPrimaryAsync(NpgsqlDataSource source, string dataDirectory, CancellationToken cancellationToken)
    {
        if (!PostmasterPidFile.IsRunning(dataDirectory))
        {
            return !File.Exists(Path.Combine(dataDirectory, NodeFiles.StandbySignal)) && !Failover.Fence.IsFenced(dataDirectory);
        }

        try
        {
            await using var command = source.CreateCommand("SELECT pg_catalog.pg_is_in_recovery()");
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is false;
        }
        catch (NpgsqlException e)
        {
            throw new LocalEngineException($"up --adopt: the server in {dataDirectory} runs but does not answer ({e.Message}); pgha adopts only what it can see", e);
        }
    }
}

using PgHaInfra.Local;
using PgHaInfra.Local.Patroni;
using PgHaInfra.Operations.Patroni;

namespace PgHaInfra.Cli.Commands.Patroni;

/// <summary>
/// In patroni mode Patroni, not pgha, moves the primary. Every verb that opens the cluster first records Patroni's
/// current leader as the engine's primary, so status, verify, lag and metrics judge the cluster as it is now.
/// </summary>
internal static class PatroniLeader
{
    public static async Task FollowAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        if (!cluster.StackSpec.Failover.IsPatroni || cluster.State is null)
        {
            return;
        }

        using var client = new PatroniClient(cluster.StackSpec, PatroniEngine.Host);
        if (await client.ClusterAsync(cancellationToken) is { Leader.Name: var leader } && leader != cluster.State.Primary && cluster.StackSpec.HasNode(leader))
        {
            await cluster.RecordPrimaryAsync(leader, "Patroni's leader, as Patroni reports it", cancellationToken);
        }
    }
}

using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Patroni;

/// <summary>
/// The spec the engine-agnostic checks (StreamingCheck, lag, status) judge a Patroni cluster by: Patroni's leader as
/// the primary, and Patroni's chosen synchronous standbys as FIRST k. Patroni 3.0.2 names only the k standbys it
/// chose in synchronous_standby_names, so the others are asynchronous, not "potential".
/// </summary>
public static class PatroniCheckSpec
{
    public static ClusterSpec For(ClusterSpec spec, PatroniCluster view)
    {
        var checkSpec = view.Leader is { } leader && spec.HasNode(leader.Name) ? spec.WithPrimary(leader.Name) : spec;
        if (checkSpec.Synchronous is { } sync && spec.Failover.Patroni is { SynchronousMode: true })
        {
            var chosen = view.Members.Where(m => m.IsSynchronous && spec.HasNode(m.Name)).Select(m => m.Name).ToList();
            checkSpec = checkSpec with { Synchronous = sync with { Method = SyncMethod.First, Count = Math.Max(chosen.Count, 1), Standbys = [.. chosen] } };
        }

        return checkSpec;
    }
}

using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Verification;

/// <summary>
/// The pg_stat_replication.sync_state a healthy replica shows on its upstream: "quorum" for every candidate of
/// ANY k, "sync" for the first k candidates of FIRST k and "potential" for the rest, "async" for everything else
/// (including cascading and delayed replicas, which are never synchronous).
/// </summary>
public static class ExpectedSyncState
{
    public static string For(ClusterSpec spec, NodeSpec replica)
    {
        var candidates = spec.SynchronousCandidates.Select(n => n.Name).ToList();
        if (spec.Synchronous is not { } sync || spec.UpstreamOf(replica)?.Name != spec.Primary || !candidates.Contains(replica.Name))
        {
            return "async";
        }

        return sync.Method == SyncMethod.Any ? "quorum" : candidates.IndexOf(replica.Name) < sync.Count ? "sync" : "potential";
    }
}

using System.Collections.Immutable;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;
using PgHaInfra.Operations.Replication;

namespace PgHaInfra.Operations.Failover;

/// <summary>How one replica ranks as a promotion candidate, and why it is or is not eligible.</summary>
/// <param name="Ineligible">Why it may not be promoted; null when it may.</param>
public sealed record CandidateRank(string Node, Lsn Received, Lsn Replayed, bool Synchronous, int Depth, string? Ineligible)
{
    public bool Eligible => Ineligible is null;
}

/// <summary>The chosen replica (or none) with a one-sentence reason and every replica's rank.</summary>
public sealed record CandidateDecision(string? Chosen, string Reason, ImmutableArray<CandidateRank> Ranking);

/// <summary>
/// Chooses the replica to promote: the most advanced healthy one by received, then replayed LSN; on a tie a
/// synchronous standby (sync or quorum), then the one closest to the primary. Cascading replicas are candidates too.
/// A delayed replica is never chosen unless --force. Pure: observation in, decision out.
/// </summary>
public static class CandidateSelection
{
    public static ImmutableArray<CandidateRank> Rank(ClusterSpec spec, ClusterObservation observation, bool force) =>
    [
        .. spec.Replicas
            .Select(n => RankOf(spec, observation, n, force))
            .OrderBy(r => r.Eligible ? 0 : 1)
            .ThenByDescending(r => r.Received)
            .ThenByDescending(r => r.Replayed)
            .ThenByDescending(r => r.Synchronous)
            .ThenBy(r => r.Depth)
            .ThenBy(r => spec.Nodes.IndexOf(spec.Node(r.Node))),
    ];

    public static CandidateDecision Choose(ClusterSpec spec, ClusterObservation observation, bool force)
    {
        var ranking = Rank(spec, observation, force);
        var eligible = ranking.Where(r => r.Eligible).ToList();
        if (eligible.Count == 0)
        {
            var why = ranking.Length == 0
                ? $"cluster {spec.Name} has no replicas"
                : string.Join("; ", ranking.Select(r => $"{r.Node}: {r.Ineligible}"));
            return new CandidateDecision(null, $"no replica can be promoted: {why}", ranking);
        }

        var best = eligible[0];
        var runnerUp = eligible.Skip(1).FirstOrDefault();
        var tie = runnerUp is not null && runnerUp.Received == best.Received && runnerUp.Replayed == best.Replayed;
        var traits = new List<string>();
        if (best.Synchronous)
        {
            traits.Add("synchronous standby");
        }

        if (best.Depth > 1)
        {
            traits.Add($"cascading (depth {best.Depth})");
        }

        if (spec.Node(best.Node).IsDelayed)
        {
            traits.Add("delayed replica, allowed by --force");
        }

        var among = eligible.Count == 1 ? "the only healthy replica" : $"among {eligible.Count} healthy replicas";
        var tieNote = tie ? $", tied with {runnerUp!.Node} and preferred as {(best.Synchronous && !runnerUp.Synchronous ? "a synchronous standby" : best.Depth < runnerUp.Depth ? "closer to the primary" : "first in the stack")}" : "";
        var reason = $"chose {best.Node}: highest received LSN {best.Received} (replayed {best.Replayed}) {among}{tieNote}"
            + (traits.Count > 0 ? $", {string.Join(", ", traits)}" : "");
        return new CandidateDecision(best.Node, reason, ranking);
    }

    private static CandidateRank RankOf(ClusterSpec spec, ClusterObservation observation, NodeSpec node, bool force)
    {
        var seen = observation.Node(node.Name);
        var synchronous = observation.IsReportedSynchronous(node.Name)
            || (!observation.AnyReportedSynchronous && spec.SynchronousCandidates.Any(c => c.Name == node.Name));
        var ineligible =
            !seen.Reachable ? $"unreachable ({seen.Error})"
            : !seen.InRecovery ? "not in recovery: it already accepts writes"
            : seen.ReceiveLsn is null && seen.ReplayLsn is null ? "has replayed no WAL"
            : seen.ReplayPaused == true && !force ? "replay is paused (pg_wal_replay_resume() first, or --force)"
            : node.IsDelayed && !force ? $"delayed replica (recovery_min_apply_delay {DurationText.ToPostgres(node.ApplyDelay!.Value)}); only with --force"
            : null;
        var replayed = seen.ReplayLsn ?? Lsn.Zero;
        return new CandidateRank(node.Name, Lsn.Max(seen.ReceiveLsn ?? Lsn.Zero, replayed), replayed, synchronous, spec.DepthOf(node), ineligible);
    }
}

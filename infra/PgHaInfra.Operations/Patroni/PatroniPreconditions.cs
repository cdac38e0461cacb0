using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Patroni;

/// <summary>A planned or forced promotion through Patroni, or the one-sentence reason it is refused.</summary>
/// <param name="Target">The member to promote; null when refused.</param>
public sealed record PatroniDecision(string? Target, string Leader, string Reason)
{
    public bool Refused => Target is null;
}

/// <summary>
/// Pure: pgha's preconditions for `switchover` and `failover` in patroni mode, before Patroni's own. Each outcome is
/// one sentence, Patroni style. Patroni then checks again and adds its own reply.
/// </summary>
public static class PatroniPreconditions
{
    public static PatroniDecision Switchover(ClusterSpec spec, PatroniCluster view, string target) =>
        Check(spec, view, target, planned: true, force: false);

    /// <param name="target">Null: Patroni's synchronous standby, else the least lagging eligible replica.</param>
    public static PatroniDecision Failover(ClusterSpec spec, PatroniCluster view, string? target, bool force)
    {
        var eligible = view.Members.Where(m => !m.IsLeader && Eligible(spec, m) is null).OrderByDescending(m => m.IsSynchronous).ThenBy(m => m.Lag ?? long.MaxValue).ToList();
        var chosen = target ?? eligible.FirstOrDefault()?.Name;
        if (chosen is null)
        {
            return new PatroniDecision(null, view.Leader?.Name ?? "none", "no replica can be promoted: " + string.Join("; ", view.Members.Where(m => !m.IsLeader).Select(m => Eligible(spec, m) ?? $"{m.Name} is eligible")));
        }

        return Check(spec, view, chosen, planned: false, force);
    }

    private static PatroniDecision Check(ClusterSpec spec, PatroniCluster view, string target, bool planned, bool force)
    {
        var leader = view.Leader?.Name ?? "none";
        if (!spec.HasNode(target))
        {
            return new PatroniDecision(null, leader, $"{target} is not a node of stack {spec.Stack} ({string.Join(", ", spec.Nodes.Select(n => n.Name))})");
        }

        if (view.Member(target) is not { } member)
        {
            return new PatroniDecision(null, leader, $"{target} is not a Patroni member right now (its Patroni is not running)");
        }

        if (member.IsLeader)
        {
            return new PatroniDecision(null, leader, $"{target} is already Patroni's leader");
        }

        if (planned && view.Leader is null)
        {
            return new PatroniDecision(null, leader, "there is no leader to switch over from: use `pgha failover`");
        }

        if (!planned && view.Leader is { State: "running" } alive && !force)
        {
            return new PatroniDecision(null, leader, $"{alive.Name} is Patroni's leader and running, so nothing has failed: use `pgha switchover --to {target}`, or --force to fail over anyway");
        }

        if (Eligible(spec, member) is { } why)
        {
            return new PatroniDecision(null, leader, why);
        }

        var sync = spec.Failover.Patroni!.SynchronousMode;
        if (sync && !member.IsSynchronous)
        {
            var syncs = view.Members.Where(m => m.IsSynchronous).Select(m => m.Name).ToList();
            return new PatroniDecision(null, leader,
                $"{target} is not a synchronous standby, and in synchronous mode Patroni promotes only one that holds every acknowledged commit ({(syncs.Count == 0 ? "none is synchronous now" : $"choose {string.Join(" or ", syncs)}")})");
        }

        var lag = member.Lag is { } bytes ? $"{bytes} bytes behind" : "lag unknown";
        return new PatroniDecision(target, leader, $"{(planned ? "switch over" : "fail over")} to {target}: {(member.IsSynchronous ? "Patroni's synchronous standby" : "a running replica")}, {lag}, timeline {member.Timeline}");
    }

    /// <summary>Why a member can never be promoted by Patroni, or null.</summary>
    private static string? Eligible(ClusterSpec spec, PatroniMember member)
    {
        if (spec.HasNode(member.Name) && spec.Node(member.Name).IsDelayed)
        {
            return $"{member.Name} is a delayed replica, tagged nofailover: Patroni never promotes it";
        }

        if (member.State is not ("running" or "streaming"))
        {
            return $"{member.Name} is {member.State}, not running";
        }

        var limit = spec.Failover.Patroni!.MaximumLagOnFailover.Bytes;
        if (member.Lag is not { } lag)
        {
            return $"{member.Name}'s lag is unknown (not streaming)";
        }

        return lag > limit ? $"{member.Name} is {lag} bytes behind, more than maximum_lag_on_failover ({limit})" : null;
    }
}

using System.Collections.Immutable;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;
using PgHaInfra.Operations.Replication;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Plans a failover: the primary is gone. Chooses the target (or checks the requested one) and refuses while the old
/// primary still accepts writes, unless --force (then it is fenced first). Pure.
/// </summary>
public static class FailoverPlanner
{
    public static PlanDecision<FailoverPlan> Plan(ClusterSpec spec, ClusterObservation observation, string? requested, bool force)
    {
        if (requested is not null && !spec.HasNode(requested))
        {
            return new PlanDecision<FailoverPlan>(null, [], $"refused: cluster {spec.Name} has no node {requested}; nodes: {string.Join(", ", spec.Nodes.Select(n => n.Name))}");
        }

        if (requested == spec.Primary)
        {
            return new PlanDecision<FailoverPlan>(null, [], $"refused: {requested} is the current primary; fail over to a replica");
        }

        var checks = ImmutableArray.CreateBuilder<PreconditionCheck>();
        var old = observation.Node(spec.Primary);
        // Gotcha: two writable primaries is split brain. A live primary is a switchover's job, or needs --force to fence it.
        checks.AddRange(Preconditions.OldPrimaryGone(spec, observation, force));
        if (requested is not null && observation.Node(requested).IsWritablePrimary)
        {
            checks.Add(PreconditionCheck.Fail("one primary", $"{requested} already accepts writes; record it as the primary with `pgha failover --adopt {requested}`", force, forceable: false));
            return new PlanDecision<FailoverPlan>(null, checks.ToImmutable(), $"refused failover to {requested}: {Preconditions.Summary(checks)}");
        }

        var onePrimary = Preconditions.OnePrimary(spec, observation, spec.Primary);
        if (onePrimary.Blocks)
        {
            checks.Add(onePrimary);
            return new PlanDecision<FailoverPlan>(null, checks.ToImmutable(), $"refused failover: {Preconditions.Summary(checks)}");
        }

        checks.Add(onePrimary);

        var decision = CandidateSelection.Choose(spec, observation, force);
        var best = decision.Ranking.FirstOrDefault(r => r.Eligible);
        string target;
        string reason;
        if (requested is null)
        {
            if (decision.Chosen is null)
            {
                return new PlanDecision<FailoverPlan>(null, checks.ToImmutable(), $"refused failover: {decision.Reason}");
            }

            target = decision.Chosen;
            reason = decision.Reason;
        }
        else
        {
            target = requested;
            var rank = decision.Ranking.First(r => r.Node == requested);
            // Promoting a replica behind another one throws away WAL that the other one holds: acknowledged commits, in async.
            if (best is not null && best.Node != requested && best.Received > rank.Received)
            {
                checks.Add(PreconditionCheck.Fail("target most advanced",
                    $"{best.Node} has received up to {best.Received}, {best.Received.BytesAhead(rank.Received)} bytes more than {requested} ({rank.Received}); promoting {requested} loses them", force));
            }
            else
            {
                checks.Add(PreconditionCheck.Pass("target most advanced", $"{requested} has received up to {rank.Received}, no healthy replica has more"));
            }

            reason = $"chose {requested}: requested, received LSN {rank.Received} (replayed {rank.Replayed})"
                + (rank.Synchronous ? ", synchronous standby" : "");
        }

        var reference = decision.Ranking.Where(r => r.Eligible || r.Node == target).Select(r => r.Received).DefaultIfEmpty(Lsn.Zero).Max();
        checks.AddRange(Preconditions.ForTarget(spec, observation, spec.Node(target), reference, requireStreaming: false, force));
        var all = checks.ToImmutable();
        if (all.Any(c => c.Blocks))
        {
            return new PlanDecision<FailoverPlan>(null, all, $"refused failover to {target}: {Preconditions.Summary(all)}");
        }

        var overridden = all.Where(c => c.Overridden).Select(c => c.Name).ToList();
        if (overridden.Count > 0)
        {
            reason += $"; --force overrides: {string.Join(", ", overridden)}";
        }

        var next = spec.WithPrimary(target);
        var targetSeen = observation.Node(target);
        var plan = new FailoverPlan(spec, next, spec.Primary, target, PromotionPlan.RePointsBetween(spec, next), all, force, reason,
            targetSeen.Position ?? Lsn.Zero, old.IsWritablePrimary);
        return new PlanDecision<FailoverPlan>(plan, all, reason);
    }
}

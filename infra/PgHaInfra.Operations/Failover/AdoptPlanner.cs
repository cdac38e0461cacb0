using PgHaInfra.Spec;
using PgHaInfra.Operations.Replication;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Plans `pgha failover --adopt NODE`: record as the primary a node that already accepts writes (pgha was killed
/// between promoting it and recording it, or someone promoted it by hand), or finish the recorded primary's
/// interrupted promotion. Refused while any other node accepts writes: that is split brain, which no record can fix. Pure.
/// </summary>
public static class AdoptPlanner
{
    public static PlanDecision<AdoptPlan> Plan(ClusterSpec spec, ClusterObservation observation, string node)
    {
        if (!spec.HasNode(node))
        {
            return new PlanDecision<AdoptPlan>(null, [], $"refused: cluster {spec.Name} has no node {node}; nodes: {string.Join(", ", spec.Nodes.Select(n => n.Name))}");
        }

        var seen = observation.Node(node);
        if (!seen.Reachable)
        {
            return new PlanDecision<AdoptPlan>(null, [PreconditionCheck.Fail("target reachable", $"{node} does not answer: {seen.Error}", false, forceable: false)],
                $"refused to adopt {node}: it does not answer ({seen.Error})");
        }

        var onePrimary = Preconditions.OnePrimary(spec, observation, node);
        var promoting = seen.InRecovery && node == spec.Primary;
        var role = !seen.InRecovery
            ? PreconditionCheck.Pass("target accepts writes", $"{node} is out of recovery at {seen.CurrentLsn} on timeline {seen.Timeline}")
            : promoting
                ? PreconditionCheck.Pass("target accepts writes", $"{node} is the recorded primary but still in recovery: its promotion was requested and never finished, so it is finished now")
                : PreconditionCheck.Fail("target accepts writes", $"{node} is in recovery: adopting takes a node that already accepts writes; to promote a replica use `pgha failover --to {node}`", false, forceable: false);
        PreconditionCheck[] checks = [role, onePrimary];
        if (checks.Any(c => c.Blocks))
        {
            return new PlanDecision<AdoptPlan>(null, [.. checks], $"refused to adopt {node}: {Preconditions.Summary(checks)}");
        }

        if (node == spec.Primary && !seen.InRecovery)
        {
            return new PlanDecision<AdoptPlan>(null, [.. checks], $"refused: {node} is already the recorded primary and accepts writes; nothing to adopt");
        }

        var next = node == spec.Primary ? spec : spec.WithPrimary(node);
        var reason = promoting
            ? $"finishing the promotion of {node}: state.json records it as the primary, the promotion was requested, and no other node accepts writes"
            : $"adopting {node} as the primary: it accepts writes at {seen.CurrentLsn} (timeline {seen.Timeline}) and no other node does, while state.json recorded {spec.Primary}";
        var plan = new AdoptPlan(spec, next, spec.Primary, node, PromotionPlan.RePointsBetween(spec, next), [.. checks], reason, promoting);
        return new PlanDecision<AdoptPlan>(plan, plan.Checks, reason);
    }
}

using System.Collections.Immutable;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;
using PgHaInfra.Operations.Replication;

namespace PgHaInfra.Operations.Failover;

/// <summary>Plans a switchover to a named replica. Pure: the spec and one observation in, a plan or a refusal out.</summary>
public static class SwitchoverPlanner
{
    public static PlanDecision<SwitchoverPlan> Plan(ClusterSpec spec, ClusterObservation observation, string target, bool force)
    {
        if (!spec.HasNode(target))
        {
            return new PlanDecision<SwitchoverPlan>(null, [], $"refused: cluster {spec.Name} has no node {target}; nodes: {string.Join(", ", spec.Nodes.Select(n => n.Name))}");
        }

        if (target == spec.Primary)
        {
            return new PlanDecision<SwitchoverPlan>(null, [], $"refused: {target} is already the primary of {spec.Name}");
        }

        var old = observation.Node(spec.Primary);
        var checks = ImmutableArray.CreateBuilder<PreconditionCheck>();
        // A switchover stops the old primary cleanly; without it there is no final LSN to wait for, so no --force here.
        checks.Add(old.IsWritablePrimary
            ? PreconditionCheck.Pass("old primary reachable", $"{spec.Primary} accepts writes at {old.CurrentLsn}")
            : PreconditionCheck.Fail("old primary reachable", old.Reachable
                ? $"{spec.Primary} is in recovery, not a primary"
                : $"{spec.Primary} does not answer ({old.Error}); use `pgha failover` for a primary that is gone", force, forceable: false));

        checks.Add(Preconditions.OnePrimary(spec, observation, spec.Primary, target));
        var reference = old.CurrentLsn ?? observation.Nodes.Select(n => n.Position ?? Lsn.Zero).DefaultIfEmpty(Lsn.Zero).Max();
        checks.AddRange(Preconditions.ForTarget(spec, observation, spec.Node(target), reference, requireStreaming: true, force));
        var all = checks.ToImmutable();
        if (all.Any(c => c.Blocks))
        {
            return new PlanDecision<SwitchoverPlan>(null, all, $"refused switchover to {target}: {Preconditions.Summary(all)}");
        }

        var next = spec.WithPrimary(target);
        var overridden = all.Where(c => c.Overridden).Select(c => c.Name).ToList();
        var sync = observation.IsReportedSynchronous(target) ? ", synchronous standby" : "";
        var reason = $"switching over to {target}: requested, streaming from {spec.UpstreamOf(spec.Node(target))!.Name}, "
            + $"replayed {observation.Node(target).ReplayLsn} of {reference}{sync}"
            + (overridden.Count > 0 ? $"; --force overrides: {string.Join(", ", overridden)}" : "");
        var plan = new SwitchoverPlan(spec, next, spec.Primary, target, PromotionPlan.RePointsBetween(spec, next), all, force, reason, reference);
        return new PlanDecision<SwitchoverPlan>(plan, all, reason);
    }
}

using System.Collections.Immutable;
using System.Diagnostics;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Drills;

/// <summary>How long to write before and after the event, and how hard.</summary>
public sealed record DrillOptions(DrillKind Kind, TimeSpan Before, TimeSpan After, TimeSpan WriterPause)
{
    public static DrillOptions For(DrillKind kind) => new(kind, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(2));
}

/// <summary>The post-deploy check after a drill, as the engine runs it for the cluster's new shape.</summary>
public delegate Task<(bool Passed, string Summary)> PostDrillCheck(ClusterSpec spec, CancellationToken cancellationToken);

/// <summary>
/// A failover test as code: a continuous writer runs through a switchover or a crash-and-failover (and the old
/// primary's rejoin); afterwards every acknowledged commit is looked up on the new primary (RPO), the longest time
/// without an acknowledged write is measured (RTO), and the post-deploy check must pass.
/// </summary>
public sealed class Drill(ClusterAccess access, INodeControl control, INodeFaults faults, string writeEndpoint, PostDrillCheck check, Action<StepTiming>? onStep = null)
{
    public async Task<DrillReport> RunAsync(DrillOptions options, CancellationToken cancellationToken)
    {
        var spec = access.Spec;
        var startedAt = DateTimeOffset.UtcNow;
        var injected = ImmutableArray.CreateBuilder<StepTiming>();
        var runner = new PromotionRunner(access, control, onStep: onStep);
        await using var writer = new ContinuousWriter(writeEndpoint, $"{options.Kind.ToString().ToLowerInvariant()}-{startedAt:yyyyMMddTHHmmssfff}", options.WriterPause);
        await writer.PrepareAsync(cancellationToken);
        writer.Start();
        await Task.Delay(options.Before, cancellationToken);

        PromotionReport promotion;
        PromotionReport? rejoin = null;
        if (options.Kind == DrillKind.Switchover)
        {
            var observation = await ReplicationObserver.ObserveAsync(access, cancellationToken);
            var target = CandidateSelection.Choose(spec, observation, force: false);
            var decision = target.Chosen is { } chosen
                ? SwitchoverPlanner.Plan(spec, observation, chosen, force: false)
                : new PlanDecision<SwitchoverPlan>(null, [], target.Reason);
            promotion = decision.Plan is { } plan
                ? await runner.SwitchoverAsync(plan with { Reason = $"{target.Reason}; {plan.Reason}" }, rejoin: true, cancellationToken)
                : Refused("switchover", spec, decision.Reason, decision.Checks);
        }
        else
        {
            var crashAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var crashed = await faults.CrashAsync(spec.PrimaryNode, cancellationToken);
            var crash = new StepTiming("crash", spec.Primary, crashAt, clock.Elapsed, crashed);
            injected.Add(crash);
            onStep?.Invoke(crash);
            var observation = await ReplicationObserver.ObserveConfirmingAsync(access, cancellationToken);
            var decision = FailoverPlanner.Plan(spec, observation, null, force: false);
            promotion = decision.Plan is { } plan
                ? await runner.FailoverAsync(plan, rejoin: false, cancellationToken)
                : Refused("failover", spec, decision.Reason, decision.Checks);
            if (promotion.Succeeded)
            {
                rejoin = await runner.RejoinAsync(spec.WithPrimary(promotion.NewPrimary), spec.Primary, cancellationToken);
            }
        }

        await Task.Delay(options.After, cancellationToken);
        await writer.StopAsync();
        var after = spec.WithPrimary(promotion.NewPrimary);
        var missing = await writer.MissingOnAsync(access.DataSource(after.Primary), cancellationToken);
        var (passed, summary) = await check(after, cancellationToken);
        var steps = ImmutableArray.CreateRange([.. injected, .. promotion.Steps, .. rejoin?.Steps ?? []]);
        var metrics = DrillMetrics.Compute(writer.Records, steps, after.Primary, missing);
        return new DrillReport(options.Kind.ToString().ToLowerInvariant(), spec.Stack, startedAt, DateTimeOffset.UtcNow, injected.ToImmutable(),
            promotion, rejoin, metrics, writer.Records, passed, summary);
    }

    private static PromotionReport Refused(string kind, ClusterSpec spec, string reason, ImmutableArray<PreconditionCheck> checks) =>
        new(kind, spec.Primary, spec.Primary, reason, checks, [], null, null, reason);
}

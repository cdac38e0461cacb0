using System.Collections.Immutable;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Failover;

/// <summary>What a switchover or failover will do, decided before anything changes. Built by pure functions.</summary>
/// <param name="Current">The cluster as it is (old primary).</param>
/// <param name="Next">The cluster afterwards: <c>Current.WithPrimary(Target)</c>, rendered for every node.</param>
/// <param name="RePoints">Replicas that follow a new upstream, in creation order of <paramref name="Next"/>.</param>
/// <param name="Reason">One sentence: why this target, Patroni style.</param>
public abstract record PromotionPlan(
    ClusterSpec Current,
    ClusterSpec Next,
    string OldPrimary,
    string Target,
    ImmutableArray<RePointStep> RePoints,
    ImmutableArray<PreconditionCheck> Checks,
    bool Forced,
    string Reason)
{
    public abstract string Kind { get; }

    /// <summary>The replicas that change upstream, computed from the two specs alone.</summary>
    public static ImmutableArray<RePointStep> RePointsBetween(ClusterSpec current, ClusterSpec next) =>
    [
        .. next.InCreationOrder()
            .Where(n => !next.IsPrimary(n) && n.Name != current.Primary)
            .Select(n => (Node: n, Old: current.UpstreamOf(current.Node(n.Name)), New: next.UpstreamOf(n)!))
            .Where(x => x.Old?.Name != x.New.Name)
            .Select(x => new RePointStep(x.Node.Name, x.Old?.Name ?? "(none)", x.New.Name)),
    ];
}

/// <summary>A planned switchover: the old primary is alive and is stopped cleanly, so nothing may be lost.</summary>
public sealed record SwitchoverPlan(
    ClusterSpec Current,
    ClusterSpec Next,
    string OldPrimary,
    string Target,
    ImmutableArray<RePointStep> RePoints,
    ImmutableArray<PreconditionCheck> Checks,
    bool Forced,
    string Reason,
    Lsn PrimaryLsnAtPlan)
    : PromotionPlan(Current, Next, OldPrimary, Target, RePoints, Checks, Forced, Reason)
{
    public override string Kind => "switchover";
}

/// <summary>An unplanned failover: the old primary is gone (or forced down) and is fenced before the promotion.</summary>
/// <param name="TargetReceived">The furthest WAL the target had received when the plan was made.</param>
/// <param name="OldPrimaryAlive">The old primary still accepted writes when observed (only with --force).</param>
public sealed record FailoverPlan(
    ClusterSpec Current,
    ClusterSpec Next,
    string OldPrimary,
    string Target,
    ImmutableArray<RePointStep> RePoints,
    ImmutableArray<PreconditionCheck> Checks,
    bool Forced,
    string Reason,
    Lsn TargetReceived,
    bool OldPrimaryAlive)
    : PromotionPlan(Current, Next, OldPrimary, Target, RePoints, Checks, Forced, Reason)
{
    public override string Kind => "failover";
}

/// <summary>
/// Adopting a node as the recorded primary: one that already accepts writes (a promotion nobody recorded), or the
/// recorded primary whose requested promotion never finished (<paramref name="NeedsPromotion"/>). The old recorded primary is fenced.
/// </summary>
public sealed record AdoptPlan(
    ClusterSpec Current,
    ClusterSpec Next,
    string OldPrimary,
    string Target,
    ImmutableArray<RePointStep> RePoints,
    ImmutableArray<PreconditionCheck> Checks,
    string Reason,
    bool NeedsPromotion)
    : PromotionPlan(Current, Next, OldPrimary, Target, RePoints, Checks, false, Reason)
{
    public override string Kind => "adopt";
}

/// <summary>The outcome of planning: a plan to carry out, or a refusal with its reason. Nothing has changed either way.</summary>
public sealed record PlanDecision<TPlan>(TPlan? Plan, ImmutableArray<PreconditionCheck> Checks, string Reason)
    where TPlan : PromotionPlan
{
    public bool Proceed => Plan is not null;
}

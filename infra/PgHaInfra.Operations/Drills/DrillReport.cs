using System.Collections.Immutable;
using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Operations.Drills;

/// <summary>Everything a drill measured: the promotion's steps, the writes, RTO, RPO and the post-deploy check.</summary>
/// <param name="Kind">switchover or failover.</param>
/// <param name="Injected">Steps of the drill itself (the crash of a failover drill), before the promotion's.</param>
/// <param name="VerifyPassed">The post-deploy check (streaming, canary, lag) after the drill.</param>
public sealed record DrillReport(
    string Kind,
    string Stack,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    ImmutableArray<StepTiming> Injected,
    PromotionReport Promotion,
    PromotionReport? Rejoin,
    DrillMetrics Metrics,
    ImmutableArray<WriteRecord> Writes,
    bool VerifyPassed,
    string VerifySummary)
{
    /// <summary>Zero acknowledged commits lost, the promotion succeeded, and the cluster verified afterwards.</summary>
    public bool Passed => Promotion.Succeeded && (Rejoin?.Succeeded ?? true) && Metrics.Missing.IsEmpty && VerifyPassed;

    public ImmutableArray<StepTiming> Steps => [.. Injected, .. Promotion.Steps, .. Rejoin?.Steps ?? []];

    public string Verdict =>
        !Promotion.Succeeded ? $"FAILED: the {Kind} did not complete: {Promotion.Error}"
        : Rejoin is { Succeeded: false } ? $"FAILED: the old primary did not rejoin: {Rejoin.Error}"
        : !Metrics.Missing.IsEmpty ? $"FAILED: {Metrics.Missing.Length} acknowledged commit(s) missing on {Promotion.NewPrimary} (RPO > 0)"
        : !VerifyPassed ? $"FAILED: the post-drill check did not pass: {VerifySummary}"
        : $"PASSED: no acknowledged commit lost, writes refused for {Metrics.LongestGap.TotalMilliseconds:0} ms, cluster verified";
}

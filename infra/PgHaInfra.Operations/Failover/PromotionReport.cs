using System.Collections.Immutable;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Failover;

/// <summary>What a switchover, failover or rejoin did: each step with its timing, and how it ended.</summary>
/// <param name="Kind">switchover, failover or rejoin.</param>
/// <param name="FinalLsn">The old primary's last WAL location that the target replayed before promotion (switchover).</param>
/// <param name="Error">Why it stopped, when it did not succeed; null on success.</param>
public sealed record PromotionReport(
    string Kind,
    string OldPrimary,
    string NewPrimary,
    string Reason,
    ImmutableArray<PreconditionCheck> Checks,
    ImmutableArray<StepTiming> Steps,
    Lsn? FinalLsn,
    RejoinOutcome? Rejoin,
    string? Error)
{
    public bool Succeeded => Error is null;

    /// <summary>The target's promotion was requested (and recorded first), whatever happened after: it is the primary now.</summary>
    public bool Promoted { get; init; }

    /// <summary>On failure: one sentence on the state the cluster was left in and what to run next.</summary>
    public string? Aftermath { get; init; }

    public TimeSpan Total => Steps.Length == 0 ? TimeSpan.Zero : Steps.Max(s => s.EndedAt) - Steps.Min(s => s.StartedAt);

    public StepTiming? StepNamed(string step) => Steps.FirstOrDefault(s => s.Step == step);
}

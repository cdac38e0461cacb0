using System.Collections.Immutable;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Lag;

/// <summary>The judged lag of a whole cluster: one level (the worst of everything), its reason, and the details.</summary>
public sealed record LagReport
{
    public required string Cluster { get; init; }

    public required string Stack { get; init; }

    public required string Primary { get; init; }

    public Lsn? PrimaryLsn { get; init; }

    public required LagThresholds Thresholds { get; init; }

    public required DateTimeOffset ObservedAt { get; init; }

    public required TimeSpan ProbeElapsed { get; init; }

    public required LagLevel Level { get; init; }

    public required string Reason { get; init; }

    /// <summary>Problems of the cluster as a whole, such as an unreachable primary, each a sentence.</summary>
    public ImmutableArray<string> ClusterProblems { get; init; } = [];

    public required ImmutableArray<ProbedNode> Nodes { get; init; }

    public required ImmutableArray<ReplicaLag> Replicas { get; init; }

    public required ImmutableArray<SlotRetention> Slots { get; init; }

    /// <summary>The primary's WAL archiving, or null when it does not archive and the stack asks for no backups.</summary>
    public ArchiveStatus? Archiving { get; init; }

    public int ExitCode => Level.ExitCode();
}

using System.Collections.Immutable;

namespace PgHaInfra.Spec;

public enum SyncMethod
{
    /// <summary>FIRST k: priority order, the first k connected standbys in the list are synchronous.</summary>
    First,

    /// <summary>ANY k: quorum, a commit waits for any k of the listed standbys.</summary>
    Any,
}

/// <summary>Synchronous replication for the <see cref="Topology.Sync"/> topology.</summary>
/// <param name="Commit">synchronous_commit: on, remote_write or remote_apply.</param>
public sealed record SynchronousSpec(SyncMethod Method, int Count, ImmutableArray<string> Standbys, string Commit)
{
    public static readonly ImmutableArray<string> CommitLevels = ["on", "remote_write", "remote_apply"];
}

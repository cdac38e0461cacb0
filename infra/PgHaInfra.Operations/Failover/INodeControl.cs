using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Failover;

/// <summary>How a node was brought back as a replica.</summary>
public enum RejoinMethod
{
    /// <summary>pg_rewind found the timelines had not diverged; the node only needed standby settings.</summary>
    NoRewindNeeded,

    /// <summary>pg_rewind copied back the blocks changed since the timelines diverged.</summary>
    Rewind,

    /// <summary>pg_rewind was impossible (and a re-clone was consented to), or there was no data directory: a fresh base backup.</summary>
    Reclone,
}

/// <summary>
/// What a rejoin did: how (<paramref name="Method"/>), why in one sentence, and how long it took. It carries no
/// timeline or LSN of its own; when pg_rewind rewound, the reason quotes the divergence point as pg_rewind printed it.
/// </summary>
public sealed record RejoinOutcome(string Node, RejoinMethod Method, string Reason, TimeSpan Elapsed);

/// <summary>
/// What an engine supplies to the engine-agnostic switchover and failover: the operations that touch a node's
/// process or files. Everything said over SQL (promote, LSNs, slots, reload) stays in Operations.
/// The local engine implements it with pg_ctl and the data directories; another engine would with containers.
/// Every failure of an implementation is a <see cref="FailoverException"/> naming its step (or, for SQL an engine
/// runs itself, an <see cref="Npgsql.NpgsqlException"/>), so the runner reports it and rolls back where it can.
/// </summary>
public interface INodeControl
{
    /// <summary>
    /// Stops the node with a fast shutdown (clients disconnected, a shutdown checkpoint written, every WAL sender
    /// drained to its standbys) and waits until it has exited.
    /// </summary>
    /// <returns>The shutdown checkpoint's location ("Latest checkpoint location" of pg_controldata), or null where the engine cannot read it.</returns>
    Task<Lsn?> StopCleanlyAsync(NodeSpec node, CancellationToken cancellationToken);

    /// <summary>
    /// Makes sure the node does not run and cannot come back as a primary by accident: stops it at once if it
    /// still runs, and marks it so that a start brings it up read-only until it is rejoined.
    /// </summary>
    /// <returns>One sentence saying what was done.</returns>
    Task<string> FenceAsync(NodeSpec node, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a stopped node with its rendered files for <paramref name="spec"/> (primary or standby, as the spec says),
    /// lifting a fence. Used to roll a switchover back when the target never reached the final LSN.
    /// </summary>
    Task StartAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken);

    /// <summary>Writes the node's rendered configuration for <paramref name="spec"/> in place, without reloading it.</summary>
    Task InstallConfigurationAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken);

    /// <summary>Records <c>spec.Primary</c> as the cluster's primary (with why), so status, verify, endpoints and the next `up` agree.</summary>
    Task RecordPrimaryAsync(ClusterSpec spec, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// Brings a stopped or fenced node back as a replica of its upstream in <paramref name="spec"/>: pg_rewind where
    /// the timelines diverged, a fresh base backup only where rewind is impossible and the user consented, then the
    /// rendered files and a start. Its slot on the upstream exists, and the upstream has just taken a CHECKPOINT
    /// (<see cref="Checkpoint"/>), when this is called. On failure the node stays stopped, fenced and intact.
    /// </summary>
    Task<RejoinOutcome> RejoinAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken);
}

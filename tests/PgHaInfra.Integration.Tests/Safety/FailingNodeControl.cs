using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Wal;
using PgHaInfra.Spec;

namespace PgHaInfra.Integration.Tests.Safety;

/// <summary>
/// The real local node control with one failure injected: <paramref name="failOn"/> names the operation that throws
/// <paramref name="failure"/> instead of running (what an engine error at that step looks like to the runner).
/// </summary>
internal sealed class FailingNodeControl(INodeControl inner, string failOn, Func<Exception> failure) : INodeControl
{
    public Task<Lsn?> StopCleanlyAsync(NodeSpec node, CancellationToken cancellationToken) =>
        failOn == nameof(StopCleanlyAsync) ? throw failure() : inner.StopCleanlyAsync(node, cancellationToken);

    public Task<string> FenceAsync(NodeSpec node, CancellationToken cancellationToken) =>
        failOn == nameof(FenceAsync) ? throw failure() : inner.FenceAsync(node, cancellationToken);

    public Task StartAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken) =>
        failOn == nameof(StartAsync) ? throw failure() : inner.StartAsync(spec, node, cancellationToken);

    public Task InstallConfigurationAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken) =>
        failOn == nameof(InstallConfigurationAsync) ? throw failure() : inner.InstallConfigurationAsync(spec, node, cancellationToken);

    public Task RecordPrimaryAsync(ClusterSpec spec, string reason, CancellationToken cancellationToken) =>
        failOn == nameof(RecordPrimaryAsync) ? throw failure() : inner.RecordPrimaryAsync(spec, reason, cancellationToken);

    public Task<RejoinOutcome> RejoinAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken) =>
        failOn == nameof(RejoinAsync) ? throw failure() : inner.RejoinAsync(spec, node, cancellationToken);
}

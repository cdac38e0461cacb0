using System.Collections.Immutable;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Verification;
using PgHaInfra.Pulumi.Verification;
using PgHaInfra.Rendering;

namespace PgHaInfra.Pulumi.Tests;

/// <summary>A streaming check that records each call (addresses, credentials, options) and answers with a given report.</summary>
public sealed class RecordingCheck(Func<ClusterAccess, VerificationReport> answer) : IStreamingCheck
{
    public sealed record Call(ImmutableDictionary<string, NodeAddress> Addresses, ClusterCredentials Credentials, StreamingCheckOptions Options);

    public List<Call> Calls { get; } = [];

    public Task<VerificationReport> RunAsync(ClusterAccess access, StreamingCheckOptions options, CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add(new Call(access.Addresses, access.Credentials, options));
        }

        return Task.FromResult(answer(access));
    }

    private static CheckResult Primary(ClusterAccess access) => new(access.Spec.Primary, "role", true, "primary (not in recovery)", "primary");

    /// <summary>The primary is the primary, and every replica streams from its upstream.</summary>
    public static RecordingCheck Passing() => new(PassingReport);

    public static VerificationReport PassingReport(ClusterAccess access) => new(
    [
        Primary(access),
        .. access.Spec.Replicas.Select(r => new CheckResult(r.Name, "wal_receiver", true, $"streaming from {access.Spec.UpstreamOf(r)!.Name}", $"streaming from {access.Spec.UpstreamOf(r)!.Name}")),
    ]);

    /// <summary>The last replica is not streaming.</summary>
    public static RecordingCheck Failing() => new(access => new VerificationReport(
    [
        Primary(access),
        .. access.Spec.Replicas.Select((r, i) => new CheckResult(r.Name, "wal_receiver", i < access.Spec.ReplicaCount - 1,
            i < access.Spec.ReplicaCount - 1 ? "streaming" : "no WAL receiver", "streaming")),
    ]));
}

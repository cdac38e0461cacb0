using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Verification;

namespace PgHaInfra.Pulumi.Verification;

/// <summary>The real thing: the engine-agnostic streaming check from PgHaInfra.Operations, the same as `pgha verify`.</summary>
public sealed class OperationsStreamingCheck : IStreamingCheck
{
    public Task<VerificationReport> RunAsync(ClusterAccess access, StreamingCheckOptions options, CancellationToken cancellationToken) =>
        StreamingCheck.RunAsync(access, options, cancellationToken);
}

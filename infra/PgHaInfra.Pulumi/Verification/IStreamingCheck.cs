using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Verification;

namespace PgHaInfra.Pulumi.Verification;

/// <summary>The check `pgha verify` runs, behind a seam so that the mock tests can count and answer its calls.</summary>
public interface IStreamingCheck
{
    Task<VerificationReport> RunAsync(ClusterAccess access, StreamingCheckOptions options, CancellationToken cancellationToken);
}

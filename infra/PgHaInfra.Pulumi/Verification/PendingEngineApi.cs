// TEMPORARY: the signature of the engine helper's streaming check (branch `engine`), so that this project compiles
// until that branch lands. Deleted by the merge of `engine`; nothing here is used at run time in its place.
using System.Collections.Immutable;
using PgHaInfra.Operations.Access;

namespace PgHaInfra.Operations.Verification;

public sealed record StreamingCheckOptions(TimeSpan Deadline, bool WriteCanary = true);

public sealed record CheckResult(string Node, string Check, bool Passed, string Observed, string Expected);

public sealed record VerificationReport(ImmutableArray<CheckResult> Results)
{
    public bool Passed => Results.All(r => r.Passed);

    public string Summary => string.Join(Environment.NewLine, Results.Where(r => !r.Passed).Select(r => $"{r.Node} {r.Check}: {r.Observed}, expected {r.Expected}"));
}

public static class StreamingCheck
{
    public static Task<VerificationReport> RunAsync(ClusterAccess access, StreamingCheckOptions options, CancellationToken ct) =>
        throw new NotSupportedException("the engine branch's StreamingCheck has not been merged yet");
}

using System.Collections.Immutable;

namespace PgHaInfra.Operations.Verification;

/// <summary>Every check of a verification run. It passes only when every check passes.</summary>
public sealed record VerificationReport(ImmutableArray<CheckResult> Results)
{
    public bool Passed => !Results.IsDefaultOrEmpty && Results.All(r => r.Passed);

    /// <summary>One line per failure ("node: check: saw X, expected Y"), or "all N checks passed".</summary>
    public string Summary => Passed
        ? $"all {Results.Length} checks passed"
        : Results.IsDefaultOrEmpty
            ? "no checks ran"
            : string.Join('\n', Results.Where(r => !r.Passed).Select(r => $"{r.Node}: {r.Check}: saw {r.Observed}, expected {r.Expected}"));

    public IEnumerable<CheckResult> Failures => Results.Where(r => !r.Passed);
}

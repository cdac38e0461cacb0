namespace PgHaInfra.Examples.ReadWrite;

/// <summary>A write that was not acknowledged. <see cref="Outcome"/> says whether it may have committed anyway.</summary>
public sealed class WriteFailedException(Guid key, WriteOutcome outcome, IReadOnlyList<(WriteOutcome Outcome, string Error)> failures, Exception inner)
    : Exception($"order {key} not acknowledged ({outcome}): {string.Join("; ", failures.Select(f => f.Error))}", inner)
{
    public Guid Key { get; } = key;

    public WriteOutcome Outcome { get; } = outcome;

    public IReadOnlyList<(WriteOutcome Outcome, string Error)> Failures { get; } = failures;
}

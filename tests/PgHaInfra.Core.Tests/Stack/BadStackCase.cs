namespace PgHaInfra.Core.Tests.Stack;

/// <summary>
/// One file of BadStacks/ and the error it must produce. Value, Allowed and Suggestion are compared exactly
/// (null means "must be absent"); Problem must be contained in the error's problem text.
/// </summary>
/// <param name="Errors">How many errors the file produces in all: a mistake must not drown in echoes of itself.</param>
public sealed record BadStackCase(
    string File,
    int? Line,
    string Key,
    string? Value,
    string Problem,
    string? Allowed,
    string? Suggestion = null,
    int Errors = 1)
{
    public override string ToString() => File;
}

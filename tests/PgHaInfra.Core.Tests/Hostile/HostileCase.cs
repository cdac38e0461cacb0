namespace PgHaInfra.Core.Tests.Hostile;

/// <summary>
/// One hostile stack and the exact error line it must produce (after the file name: ":line: key = value: problem.
/// Allowed: ..."), and how many errors the stack gives in all, so a mistake does not drown in echoes of itself.
/// </summary>
public sealed record HostileCase(string Class, string Name, string Yaml, string Expected, int Errors = 1)
{
    public override string ToString() => $"{Class}: {Name}";
}

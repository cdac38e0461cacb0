namespace PgHaInfra.Operations.Failover;

/// <summary>One safety check before a promotion: what was checked, whether it held, and what was seen.</summary>
/// <param name="Overridden">It failed, and --force was given for a check that --force may override.</param>
public sealed record PreconditionCheck(string Name, bool Passed, string Detail, bool Overridden = false)
{
    public bool Blocks => !Passed && !Overridden;

    public static PreconditionCheck Pass(string name, string detail) => new(name, true, detail);

    /// <summary>A failed check; --force overrides it only where <paramref name="forceable"/>.</summary>
    public static PreconditionCheck Fail(string name, string detail, bool force, bool forceable = true) =>
        new(name, false, detail, Overridden: force && forceable);
}

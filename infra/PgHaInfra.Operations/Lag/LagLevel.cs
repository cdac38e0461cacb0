namespace PgHaInfra.Operations.Lag;

/// <summary>An alert level. The numeric value is the Nagios exit code: 0 ok, 1 warning, 2 critical, 3 unknown.</summary>
public enum LagLevel
{
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

public static class LagLevels
{
    /// <summary>
    /// How bad a level is when levels are combined: critical outranks unknown (a replica known to be down matters more
    /// than one we could not see), and unknown outranks warning (we cannot vouch for what we could not read).
    /// </summary>
    public static int Severity(this LagLevel level) => level switch
    {
        LagLevel.Ok => 0,
        LagLevel.Warning => 1,
        LagLevel.Unknown => 2,
        LagLevel.Critical => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    public static LagLevel Worst(LagLevel a, LagLevel b) => a.Severity() >= b.Severity() ? a : b;

    public static LagLevel Worst(IEnumerable<LagLevel> levels) => levels.Aggregate(LagLevel.Ok, Worst);

    public static int ExitCode(this LagLevel level) => (int)level;

    /// <summary>The lower-case name used in tables, JSON and metrics: ok, warning, critical, unknown.</summary>
    public static string Name(this LagLevel level) => level switch
    {
        LagLevel.Ok => "ok",
        LagLevel.Warning => "warning",
        LagLevel.Critical => "critical",
        LagLevel.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };
}

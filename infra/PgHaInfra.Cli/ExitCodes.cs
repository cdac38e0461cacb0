namespace PgHaInfra.Cli;

/// <summary>pgha's exit codes. `pgha lag` uses the Nagios convention instead (0 ok, 1 warning, 2 critical, 3 unknown).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The operation ran and failed: a check did not pass, a node did not come up.</summary>
    public const int Failed = 1;

    /// <summary>The input was wrong: a stack with mistakes, an unknown node, a bad option.</summary>
    public const int InvalidInput = 2;
}

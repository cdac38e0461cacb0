namespace PgHaInfra.Local.Backup;

/// <summary>Where the pgbackrest program is: PGHA_PGBACKREST, else the first on PATH, else Debian's /usr/bin/pgbackrest.</summary>
public static class PgBackRestProgram
{
    public const string Name = "pgbackrest";
    public const string OverrideVariable = "PGHA_PGBACKREST";

    /// <summary>
    /// An absolute path: archive_command runs under the postmaster's environment, whose PATH pgha does not choose, so
    /// the rendered command names the program it was tested with.
    /// </summary>
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        foreach (var entry in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(entry, Name);
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return "/usr/bin/" + Name;
    }
}

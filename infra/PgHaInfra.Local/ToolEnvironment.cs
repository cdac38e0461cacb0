using System.Diagnostics;

namespace PgHaInfra.Local;

/// <summary>
/// The one place that builds the environment of every PostgreSQL server and tool pgha starts (postgres through
/// pg_ctl, initdb, pg_basebackup, pg_rewind, pg_controldata, psql, and whatever comes later). It starts from nothing:
/// the caller's libpq variables (PGPASSWORD, PGHOST, PGSERVICE, ...) must never reach them, because libpq prefers
/// PGPASSWORD to the passfile in primary_conninfo and a restarted replica then fails to authenticate.
/// </summary>
public static class ToolEnvironment
{
    /// <summary>What a server or tool needs from pgha's own environment: PATH, and the locale and zone initdb derives the cluster's from.</summary>
    public static readonly IReadOnlyList<string> Inherited = ["PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_COLLATE", "LC_MESSAGES", "LC_MONETARY", "LC_NUMERIC", "LC_TIME", "TZ"];

    /// <summary>What an interactive psql also needs from the user's terminal session (history, .psqlrc, pager, editor).</summary>
    public static readonly IReadOnlyList<string> Interactive = ["HOME", "TERM", "COLUMNS", "LINES", "PAGER", "PSQL_PAGER", "LESS", "EDITOR", "VISUAL", "PSQL_EDITOR", "PSQL_HISTORY"];

    /// <summary>Replaces <paramref name="info"/>'s environment (a copy of pgha's by default) with the inherited names plus <paramref name="explicitly"/>.</summary>
    /// <param name="explicitly">What the caller sets on purpose (PGPASSFILE naming pgha's own passfile, PGAPPNAME, ...).</param>
    public static void Apply(ProcessStartInfo info, IReadOnlyDictionary<string, string>? explicitly = null, bool interactive = false)
    {
        var kept = interactive ? Inherited.Concat(Interactive) : Inherited;
        var values = kept.Select(name => (name, value: Environment.GetEnvironmentVariable(name))).Where(p => p.value is not null).ToList();
        info.Environment.Clear();
        foreach (var (name, value) in values)
        {
            info.Environment[name] = value;
        }

        foreach (var (name, value) in explicitly ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
    }
}

using System.Diagnostics;
using PgHaInfra.Parameters;

namespace PgHaInfra.Core.Tests.Rendering;

/// <summary>
/// PostgreSQL 15's parameters: from the real server's <c>postgres --describe-config</c> when a PostgreSQL 15
/// binary is found (PGHA_PG_BINDIR, then PATH, then pg_config --bindir), else from the core's embedded list
/// (<see cref="PostgresParameters"/>), which the tests check against that server where there is one.
/// </summary>
internal static class Pg15Parameters
{
    public const string Embedded = "the core's embedded PostgreSQL 15 list";

    private static readonly Lazy<(IReadOnlyDictionary<string, string[]>? Described, string From)> Loaded = new(Load);

    public static IReadOnlySet<string> Names => Loaded.Value.Described is { } described
        ? described.Keys.ToHashSet(StringComparer.Ordinal)
        : PostgresParameters.For(15).Names.ToHashSet(StringComparer.Ordinal);

    /// <summary>The installed server's rows (name, context, group, type, default, min, max, ...), or null without one.</summary>
    public static IReadOnlyDictionary<string, string[]>? Described => Loaded.Value.Described;

    public static string From => Loaded.Value.From;

    private static (IReadOnlyDictionary<string, string[]>?, string) Load()
    {
        foreach (var postgres in Candidates())
        {
            if (Describe(postgres) is { Count: > 200 } rows)
            {
                return (rows, postgres + " --describe-config");
            }
        }

        return (null, Embedded);
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("PGHA_PG_BINDIR") is { Length: > 0 } bindir)
        {
            yield return Path.Combine(bindir, "postgres");
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            yield return Path.Combine(dir, "postgres");
        }

        if (Run("pg_config", "--bindir") is { } pgConfigBindir)
        {
            yield return Path.Combine(pgConfigBindir.Trim(), "postgres");
        }
    }

    /// <summary>Only a PostgreSQL 15 server counts: another major version has other parameters.</summary>
    private static Dictionary<string, string[]>? Describe(string postgres)
    {
        if (!File.Exists(postgres) || Run(postgres, "--version") is not { } version || !version.Contains("PostgreSQL) 15.", StringComparison.Ordinal))
        {
            return null;
        }

        return Run(postgres, "--describe-config")?.Split('\n').Select(l => l.Split('\t')).Where(f => f[0].Length > 0).ToDictionary(f => f[0], f => f, StringComparer.Ordinal);
    }

    private static string? Run(string file, string argument)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, argument) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? output.GetAwaiter().GetResult() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

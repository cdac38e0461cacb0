using System.Diagnostics;

namespace PgHaInfra.Core.Tests.Rendering;

/// <summary>
/// PostgreSQL 15's parameter names: from the real server's <c>postgres --describe-config</c> when a PostgreSQL 15
/// binary is found (PGHA_PG_BINDIR, then PATH, then pg_config --bindir), else from the embedded list taken from it.
/// </summary>
internal static class Pg15Parameters
{
    private static readonly Lazy<(IReadOnlySet<string> Names, string From)> Loaded = new(Load);

    public static IReadOnlySet<string> Names => Loaded.Value.Names;

    public static string From => Loaded.Value.From;

    private static (IReadOnlySet<string>, string) Load()
    {
        foreach (var postgres in Candidates())
        {
            if (Describe(postgres) is { Count: > 200 } names)
            {
                return (names, postgres + " --describe-config");
            }
        }

        var embedded = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Rendering", "pg15-parameters.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'));
        return (embedded.ToHashSet(StringComparer.Ordinal), "the embedded PostgreSQL 15 list");
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
    private static HashSet<string>? Describe(string postgres)
    {
        if (!File.Exists(postgres) || Run(postgres, "--version") is not { } version || !version.Contains("PostgreSQL) 15.", StringComparison.Ordinal))
        {
            return null;
        }

        return Run(postgres, "--describe-config")?.Split('\n').Select(l => l.Split('\t')[0]).Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
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

using System.Globalization;
using System.Text.RegularExpressions;

namespace PgHaInfra.Local;

/// <summary>
/// Where PostgreSQL's server programs are. Found through PGHA_PG_BINDIR, else initdb on PATH (its symlink resolved,
/// because pg_rewind and pg_controldata sit beside the real initdb, not beside a link), else `pg_config --bindir`.
/// The major version must match the stack's postgres.version.
/// </summary>
public sealed partial record PostgresBinaries(string Directory, int MajorVersion, string VersionText, string FoundBy)
{
    public const string DirectoryVariable = "PGHA_PG_BINDIR";

    public const string Initdb = "initdb";
    public const string PgCtl = "pg_ctl";
    public const string Postgres = "postgres";
    public const string PgBasebackup = "pg_basebackup";
    public const string PgRewind = "pg_rewind";
    public const string PgControldata = "pg_controldata";
    public const string Psql = "psql";
    public const string PgConfig = "pg_config";

    public string PathOf(string program) => Path.Combine(Directory, program);

    public static async Task<PostgresBinaries> LocateAsync(int expectedMajor, ProcessRunner runner, CancellationToken cancellationToken, string? directory = null)
    {
        var (dir, foundBy) = Find(directory);
        var initdb = Path.Combine(dir, Initdb);
        if (!File.Exists(initdb))
        {
            throw new LocalEngineException($"no {Initdb} in {dir} (found by {foundBy}); set {DirectoryVariable} to PostgreSQL {expectedMajor}'s bin directory");
        }

        var result = await runner.RunAsync(initdb, ["--version"], cancellationToken, asServerUser: false).ConfigureAwait(false);
        var match = VersionPattern().Match(result.StandardOutput);
        if (!result.Succeeded || !match.Success)
        {
            throw new LocalEngineException($"{initdb} --version did not print a version: {result.StandardOutput.Trim()} {result.StandardError.Trim()}");
        }

        var major = int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture);
        if (major != expectedMajor)
        {
            throw new LocalEngineException(
                $"the stack asks for PostgreSQL {expectedMajor} (postgres.version), but {initdb} (found by {foundBy}) is {match.Value}; " +
                $"set {DirectoryVariable} to PostgreSQL {expectedMajor}'s bin directory, or change postgres.version");
        }

        return new PostgresBinaries(dir, major, match.Value, foundBy);
    }

    private static (string Directory, string FoundBy) Find(string? directory)
    {
        if (directory is { Length: > 0 })
        {
            return (Path.GetFullPath(directory), "--pg-bindir");
        }

        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } fromEnvironment)
        {
            return (Path.GetFullPath(fromEnvironment), DirectoryVariable);
        }

        foreach (var entry in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(entry, Initdb);
            if (File.Exists(candidate))
            {
                var real = new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate;
                return (Path.GetDirectoryName(real)!, $"PATH ({candidate})");
            }
        }

        foreach (var entry in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var pgConfig = Path.Combine(entry, PgConfig);
            if (File.Exists(pgConfig))
            {
                var info = new System.Diagnostics.ProcessStartInfo(pgConfig, "--bindir")
                {
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };
                ToolEnvironment.Apply(info);
                using var process = System.Diagnostics.Process.Start(info)!;
                var output = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit();
                if (process.ExitCode == 0 && output.Length > 0)
                {
                    return (output, $"{pgConfig} --bindir");
                }
            }
        }

        throw new LocalEngineException(
            $"PostgreSQL's server programs were not found: set {DirectoryVariable} to their bin directory, put initdb on PATH, or install pg_config (Debian: apt-get install postgresql-15)");
    }

    [GeneratedRegex(@"(?<major>\d+)(\.\d+)?")]
    private static partial Regex VersionPattern();
}

using PgHaInfra.Rendering;

namespace PgHaInfra.Local.Backup;

/// <summary>
/// Runs pgbackrest as the server user with its own configuration file (--config, never /etc/pgbackrest.conf) and an
/// explicit environment: nothing of pgha's (PGPASSWORD, PGHOST, PGBACKREST_*) reaches it.
/// </summary>
public sealed class PgBackRest(ProcessRunner runner, string executable, string stanza)
{
    /// <summary>The whole environment pgbackrest sees.</summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        ["LC_ALL"] = "C",
    };

    public static PgBackRest For(LocalCluster cluster) =>
        new(cluster.Runner, cluster.Placement.Backup?.Executable ?? PgBackRestProgram.Locate(), cluster.Spec.Stanza);

    /// <summary>Runs one command with the given config file; throws naming the command and quoting pgBackRest's error.</summary>
    public async Task<ProcessResult> RunAsync(string configFile, string command, IEnumerable<string> options, CancellationToken cancellationToken, Action<string>? onLine = null)
    {
        string[] arguments = [$"--config={configFile}", $"--stanza={stanza}", .. options, command];
        var result = await runner.RunAsync(executable, arguments, cancellationToken, Environment, onLine: onLine).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var detail = result.StandardError.Trim() is { Length: > 0 } err ? err : LastErrors(result.StandardOutput);
            throw new LocalEngineException($"pgbackrest {command} (stanza {stanza}) exited with {result.ExitCode}: {detail}");
        }

        return result;
    }

    /// <summary>The runner's own file, for pgha's backups, restores and listings.</summary>
    public static string RunnerConfig(ClusterPlacement placement) =>
        placement.Backup?.Runner.ConfigFile ?? throw new LocalEngineException("the stack sets no backup keys");

    private static string LastErrors(string output)
    {
        var errors = output.Split('\n').Where(l => l.Contains("ERROR", StringComparison.Ordinal) || l.Contains("WARN", StringComparison.Ordinal)).ToList();
        return errors.Count > 0 ? string.Join("\n", errors.TakeLast(5)).Trim() : output.Trim();
    }
}

namespace PgHaInfra.Local;

/// <summary>Creates the primary's data directory. The superuser password comes from a 0600 file, never an argument.</summary>
public static class Initdb
{
    public static async Task RunAsync(PostgresBinaries binaries, ProcessRunner runner, string dataDirectory, string superuser, string passwordFile, CancellationToken cancellationToken)
    {
        await runner.RunCheckedAsync($"initdb {dataDirectory}", binaries.PathOf(PostgresBinaries.Initdb),
        [
            "--pgdata", dataDirectory,
            "--username", superuser,
            "--pwfile", passwordFile,
            "--auth-local", "peer",
            "--auth-host", "scram-sha-256",
            "--encoding", "UTF8",
            "--locale", "C",
            "--no-instructions",
        ], cancellationToken).ConfigureAwait(false);
    }
}

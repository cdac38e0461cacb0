using System.Globalization;
using PgHaInfra.Rendering;

namespace PgHaInfra.Local;

/// <summary>
/// Makes a replica's data directory: pg_basebackup from its upstream with -X stream through the replica's own
/// slot (created beforehand with WAL reserved, so a concurrent checkpoint cannot invalidate it), authenticated by
/// the passfile. No -R: it would write the password in plain text into postgresql.auto.conf. The rendered
/// postgresql.conf (with primary_conninfo naming the passfile) and standby.signal are installed afterwards.
/// </summary>
public static class JoinAsReplica
{
    public static async Task BaseBackupAsync(
        PostgresBinaries binaries,
        ProcessRunner runner,
        StateLayout layout,
        NodeAddress upstream,
        string replicationUser,
        string node,
        string slot,
        CancellationToken cancellationToken)
    {
        var dataDirectory = layout.DataDirectory(node);
        await runner.RunCheckedAsync($"pg_basebackup of {node}", binaries.PathOf(PostgresBinaries.PgBasebackup),
        [
            "--pgdata", dataDirectory,
            "--host", upstream.Host,
            "--port", upstream.Port.ToString(CultureInfo.InvariantCulture),
            "--username", replicationUser,
            "--wal-method", "stream",
            "--slot", slot,
            "--checkpoint", "fast",
            "--no-password",
        ], cancellationToken, new Dictionary<string, string>
        {
            ["PGPASSFILE"] = layout.ReplicationPassfile,
            ["PGAPPNAME"] = $"pgha_basebackup_{slot}",
            ["PGCONNECT_TIMEOUT"] = "5",
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Kills pg_basebackup processes still writing into <paramref name="dataDirectory"/>: a run killed mid-backup
    /// leaves its child behind, and it would keep writing into (or delete) the directory the next run rebuilds.
    /// </summary>
    public static int KillLeftoverBackups(string dataDirectory)
    {
        var killed = 0;
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid))
            {
                continue;
            }

            try
            {
                var argv = File.ReadAllText(Path.Combine(proc, "cmdline")).Split('\0');
                if (argv.Length > 0 && Path.GetFileName(argv[0]) == PostgresBinaries.PgBasebackup && argv.Contains(dataDirectory))
                {
                    Libc.Kill(pid, Libc.SigKill);
                    killed++;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to see.
            }
        }

        return killed;
    }
}

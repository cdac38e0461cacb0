using PgHaInfra.Operations.Backup;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Local.Backup;

/// <summary>
/// What `up` does for backups: pgBackRest's files are installed with the node's other files (before any server
/// starts, since archive_command names them), and once the primary runs the stanza is created and checked, once.
/// </summary>
public static class StanzaSetup
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes every node's pgbackrest.conf and pgha's own, creating their directories and the repository; returns the files that changed.</summary>
    public static async Task<IReadOnlyList<string>> InstallAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        var spec = cluster.Spec;
        if (spec.Backup is not { } backup || cluster.Placement.Backup is not { } placement)
        {
            return [];
        }

        if (backup.Repository.Kind == RepositoryKind.Volume)
        {
            throw new LocalEngineException(
                $"stack {spec.Stack}: backup.repository.volume names a Docker volume ({backup.Repository.Volume}), which the local engine cannot mount; set backup.repository.path instead");
        }

        if (spec.Replication.Superuser != (cluster.User.UserName ?? System.Environment.UserName))
        {
            throw new LocalEngineException(
                $"stack {spec.Stack}: pgBackRest connects over the socket with peer authentication as the server's OS user ({cluster.User.UserName ?? System.Environment.UserName}), " +
                $"so replication.superuser must be that name, not {spec.Replication.Superuser}");
        }

        cluster.User.CreateDirectory(cluster.Layout.BackupRoot);
        foreach (var directory in placement.Directories())
        {
            cluster.User.CreateDirectory(directory);
        }

        if (backup.Repository.Kind == RepositoryKind.Path)
        {
            EnsureRepository(cluster, backup.Repository.Path!);
        }

        var changed = new List<string>();
        foreach (var node in spec.Nodes)
        {
            if (await WriteIfChangedAsync(cluster, placement.Nodes[node.Name].ConfigFile, PgBackRestConf.ForNode(spec, cluster.Placement, node), cancellationToken).ConfigureAwait(false))
            {
                changed.Add(placement.Nodes[node.Name].ConfigFile);
            }
        }

        if (await WriteIfChangedAsync(cluster, placement.Runner.ConfigFile, PgBackRestConf.ForBackup(spec, cluster.Placement, null), cancellationToken).ConfigureAwait(false))
        {
            changed.Add(placement.Runner.ConfigFile);
        }

        return changed;
    }

    /// <summary>True once the repository holds this stanza (stanza-create wrote its archive.info).</summary>
    public static bool StanzaExists(ClusterSpec spec) =>
        spec.Backup?.Repository is { Kind: RepositoryKind.Path, Path: { } path } && File.Exists(Path.Combine(path, "archive", spec.Stanza, "archive.info"));

    /// <summary>stanza-create and check, unless the stanza exists already. Returns the one-sentence reason for what it did.</summary>
    public static async Task<string> EnsureStanzaAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        var spec = cluster.Spec;
        if (spec.Backup is null)
        {
            return "no backup keys";
        }

        if (StanzaExists(spec))
        {
            return $"stanza {spec.Stanza} exists in the repository";
        }

        var pgbackrest = PgBackRest.For(cluster);
        var config = PgBackRest.RunnerConfig(cluster.Placement);
        await pgbackrest.RunAsync(config, "stanza-create", ["--log-level-console=warn"], cancellationToken).ConfigureAwait(false);
        // check forces a WAL switch and waits until that segment is in the repository: archiving is proven end to end.
        await pgbackrest.RunAsync(config, "check", ["--log-level-console=warn"], cancellationToken).ConfigureAwait(false);
        // Segments finished before the stanza existed failed to archive; PostgreSQL's archiver retries them on its own
        // clock. `up` returns once it has caught up, so the first `pgha lag` does not report a failure already mended.
        var access = await cluster.RequireAccessAsync(cancellationToken).ConfigureAwait(false);
        await ArchiveWait.SwitchAndWaitAsync(access.DataSource(spec.Primary), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return $"created stanza {spec.Stanza} and checked that {spec.Primary} archives into it";
    }

    private static void EnsureRepository(LocalCluster cluster, string path)
    {
        if (!Directory.Exists(path))
        {
            // Parents the server user can pass through, the repository itself its own.
            var missing = new Stack<string>();
            for (var dir = Path.GetDirectoryName(path); dir is not null && dir != "/" && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
            {
                missing.Push(dir);
            }

            while (missing.TryPop(out var dir))
            {
                Directory.CreateDirectory(dir, (UnixFileMode)0b111_101_101);
            }

            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        cluster.User.Own(path);
    }

    private static async Task<bool> WriteIfChangedAsync(LocalCluster cluster, string path, string content, CancellationToken cancellationToken)
    {
        if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) == content)
        {
            return false;
        }

        await cluster.User.WriteFileAsync(path, content, Private, cancellationToken).ConfigureAwait(false);
        return true;
    }
}

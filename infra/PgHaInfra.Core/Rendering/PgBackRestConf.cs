using System.Globalization;
using System.Text;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering;

/// <summary>
/// Renders pgbackrest.conf from the stack's backup keys: one file per node (pg1 is the node itself, which
/// archive-push and archive-get resolve %p against), and one for each backup pgha runs (pg1 the primary, pg2 a
/// standby, as backup-standby needs both). Pure: text out; the engine writes it, 0600, never to /etc/pgbackrest.conf.
/// </summary>
public static class PgBackRestConf
{
    /// <summary>The file a node's archive_command and restore_command name.</summary>
    public static string ForNode(ClusterSpec spec, ClusterPlacement placement, NodeSpec node)
    {
        var backup = Require(spec, placement);
        return Render(spec, placement, [node], backup.Nodes[node.Name], backupStandby: false,
            $"pgbackrest.conf for {node.Name} in cluster \"{spec.Name}\": its archive-push and archive-get (pg1 is this node).");
    }

    /// <summary>The file for one backup: the primary first, then the standby to copy from when <paramref name="standby"/> is given.</summary>
    public static string ForBackup(ClusterSpec spec, ClusterPlacement placement, NodeSpec? standby)
    {
        var backup = Require(spec, placement);
        NodeSpec[] nodes = standby is null ? [spec.PrimaryNode] : [spec.PrimaryNode, standby];
        return Render(spec, placement, nodes, backup.Runner, backupStandby: standby is not null,
            standby is null
                ? $"pgbackrest.conf for pgha's backups, restores and listings of cluster \"{spec.Name}\" (pg1 is the primary, {spec.Primary})."
                : $"pgbackrest.conf for a backup of cluster \"{spec.Name}\" from standby {standby.Name} (pg1 the primary {spec.Primary}, pg2 the standby).");
    }

    /// <summary>archive_command: pgBackRest pushes each finished segment to the repository.</summary>
    public static string ArchiveCommand(ClusterSpec spec, ClusterPlacement placement, NodeSpec node) =>
        $"{Invocation(spec, placement, node)} archive-push %p";

    /// <summary>restore_command: any WAL a node lacks comes from the repository, whichever node is primary.</summary>
    public static string RestoreCommand(ClusterSpec spec, ClusterPlacement placement, NodeSpec node) =>
        $"{Invocation(spec, placement, node)} archive-get %f \"%p\"";

    private static string Invocation(ClusterSpec spec, ClusterPlacement placement, NodeSpec node)
    {
        var backup = Require(spec, placement);
        return $"{backup.Executable} --config={backup.Nodes[node.Name].ConfigFile} --stanza={spec.Stanza}";
    }

    private static BackupPlacement Require(ClusterSpec spec, ClusterPlacement placement) =>
        spec.Backup is null
            ? throw new InvalidOperationException($"stack {spec.Stack} sets no backup keys")
            : placement.Backup ?? throw new InvalidOperationException($"placement {placement.Target} has no backup paths");

    /// <summary>The repository path pgBackRest writes to (repo1-path).</summary>
    public static string RepositoryPath(BackupRepository repository) => repository.Kind switch
    {
        RepositoryKind.Path => repository.Path!,
        RepositoryKind.Volume => BackupRepository.ContainerMount,
        _ => repository.S3!.Path,
    };

    private static string Render(ClusterSpec spec, ClusterPlacement placement, NodeSpec[] nodes, PgBackRestPaths paths, bool backupStandby, string title)
    {
        var backup = spec.Backup!;
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# {title}")
            .AppendLine(CultureInfo.InvariantCulture, $"# Rendered by pgha from stack \"{spec.Stack}\"'s backup keys. Do not edit: pgha rewrites this file.")
            .AppendLine("[global]");
        void Set(string name, string value, string reason) => text.AppendLine(CultureInfo.InvariantCulture, $"# {reason}").AppendLine(CultureInfo.InvariantCulture, $"{name}={value}");

        var repository = backup.Repository;
        Set("repo1-type", repository.Kind == RepositoryKind.S3 ? "s3" : "posix", repository.Kind switch
        {
            RepositoryKind.S3 => "an S3-compatible object store (backup.repository.s3)",
            RepositoryKind.Volume => $"a Docker volume ({repository.Volume}) mounted at the same path in every container",
            _ => "a directory on this machine (backup.repository.path)",
        });
        Set("repo1-path", RepositoryPath(repository), "where backups and archived WAL live");
        if (repository.S3 is { } s3)
        {
            Set("repo1-s3-bucket", s3.Bucket, "backup.repository.s3.bucket");
            Set("repo1-s3-endpoint", s3.Endpoint, "backup.repository.s3.endpoint");
            Set("repo1-s3-region", s3.Region, "backup.repository.s3.region");
            Set("repo1-s3-uri-style", s3.UriStyle, "backup.repository.s3.uriStyle");
            Set("repo1-storage-verify-tls", s3.VerifyTls ? "y" : "n", "backup.repository.s3.verifyTls");
            Set("repo1-s3-key", s3.Key, "backup.repository.s3.key (this file is 0600, the server user's)");
            Set("repo1-s3-key-secret", s3.KeySecret, "backup.repository.s3.keySecret");
        }

        Set("repo1-retention-full", backup.RetentionFull.ToString(CultureInfo.InvariantCulture), "full backups kept; expire removes older ones and the WAL only they needed");
        if (backup.RetentionDiff is { } diff)
        {
            Set("repo1-retention-diff", diff.ToString(CultureInfo.InvariantCulture), "differential backups kept");
        }

        Set("compress-type", backup.Compress.Type.ToString().ToLowerInvariant(), "backup.compress.type");
        if (backup.Compress.Level is { } level)
        {
            Set("compress-level", level.ToString(CultureInfo.InvariantCulture), "backup.compress.level");
        }

        Set("start-fast", "y", "a backup starts with an immediate checkpoint instead of waiting for the next one");
        Set("process-max", "2", "two processes copy and compress in parallel; more would starve PostgreSQL on a small machine");
        if (backup.ArchiveAsync)
        {
            Set("archive-async", "y", "archive_command returns at once and a background process pushes (and prefetches for archive-get) in batches");
            Set("spool-path", paths.SpoolDirectory, "this process's own spool: nodes never share one");
        }

        if (backupStandby)
        {
            Set("backup-standby", "y", "backup.fromStandby: files are copied from pg2, a healthy standby; the primary only starts and stops the backup");
        }

        Set("log-path", paths.LogDirectory, "its own log directory");
        Set("lock-path", paths.LockDirectory, "its own lock directory: nodes on one machine must not share the stanza's archive lock");
        Set("log-level-file", "info", "each command's steps in its log file");

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"[{spec.Stanza}]");
        for (var i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            var n = (i + 1).ToString(CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture, $"# {node.Name}{(spec.IsPrimary(node) ? " (primary)" : "")}");
            text.AppendLine(CultureInfo.InvariantCulture, $"pg{n}-path={placement.Backup!.DataDirectories[node.Name]}");
            text.AppendLine(CultureInfo.InvariantCulture, $"pg{n}-port={placement.AddressOf(node).Port.ToString(CultureInfo.InvariantCulture)}");
            if (placement.SocketDirectory is { } socket)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"pg{n}-socket-path={socket}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"pg{n}-user={spec.Replication.Superuser}");
        }

        return text.ToString();
    }
}

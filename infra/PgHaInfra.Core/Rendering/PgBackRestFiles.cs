using System.Collections.Immutable;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering;

/// <summary>
/// The pgbackrest.conf files `pgha render` shows for a stack with backups: each node's own (its archive-push and
/// archive-get), beside its other files, and the one pgha's backups, restores and listings use where that lives apart
/// (the local engine's _pgha/; in a container the node's file serves both). For display and review only: the S3 key and
/// its secret are replaced by placeholders, as render never prints a secret.
/// </summary>
public static class PgBackRestFiles
{
    public const string KeyPlaceholder = "<backup.repository.s3.key>";
    public const string KeySecretPlaceholder = "<backup.repository.s3.keySecret>";

    /// <summary><paramref name="nodes"/> with each node's pgbackrest.conf added; unchanged for a stack without backups.</summary>
    public static ImmutableArray<NodeFiles> WithNodeConfs(ClusterSpec spec, ClusterPlacement placement, IEnumerable<NodeFiles> nodes)
    {
        if (spec.Backup is null || placement.Backup is null)
        {
            return [.. nodes];
        }

        var shown = Redacted(spec);
        return [.. nodes.Select(n => n with { Files = n.Files.Add(new RenderedFile(BackupPlacement.ConfigFileName, PgBackRestConf.ForNode(shown, placement, n.Node))) })];
    }

    /// <summary>pgha's own pgbackrest.conf (in <see cref="BackupPlacement.RunnerDirectory"/>), or null when the stack has no backups or a node's file is the same file.</summary>
    public static RenderedFile? ForRunner(ClusterSpec spec, ClusterPlacement placement) =>
        spec.Backup is null || placement.Backup is not { } backup || backup.Nodes.Values.Any(p => p.ConfigFile == backup.Runner.ConfigFile)
            ? null
            : new RenderedFile(BackupPlacement.ConfigFileName, PgBackRestConf.ForBackup(Redacted(spec), placement, null));

    private static ClusterSpec Redacted(ClusterSpec spec) =>
        spec.Backup is { Repository.S3: { } s3 } backup
            ? spec with { Backup = backup with { Repository = backup.Repository with { S3 = s3 with { Key = KeyPlaceholder, KeySecret = KeySecretPlaceholder } } } }
            : spec;
}

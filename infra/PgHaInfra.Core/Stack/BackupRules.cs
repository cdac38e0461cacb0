using PgHaInfra.Spec;

namespace PgHaInfra.Stack;

/// <summary>Rules between the backup keys and the rest of the stack, checked once the spec is whole.</summary>
internal static class BackupRules
{
    /// <summary>Settings that pgha derives from the backup keys; a parameter would make a second source of truth.</summary>
    private static readonly string[] Derived = ["archive_mode", "archive_command", "archive_library", "restore_command", "archive_timeout"];

    public static void Check(ClusterSpec spec, IReadOnlyDictionary<string, int?> locations, List<StackError> errors)
    {
        if (spec.Backup is not { } backup)
        {
            return;
        }

        var context = new RuleContext(spec, locations, errors);
        foreach (var name in Derived.Where(spec.Parameters.ContainsKey))
        {
            context.Error($"parameters.{name}", spec.Parameters[name], "is managed by pgha when backup is set (pgBackRest archives WAL and fetches it back)",
                "the backup keys (repository, compress, archiveAsync) instead, or no backup key");
        }

        // backup-standby copies from a standby that has replayed the backup's start point: a delayed one would hold the backup for its whole delay.
        if (backup.FromStandby && !spec.Replicas.Any(r => !r.IsDelayed))
        {
            context.Error("backup.fromStandby", "true", "needs a standby without a delay to back up from, and this stack has none",
                "false, or a replica without delay", at: "backup");
        }
    }
}

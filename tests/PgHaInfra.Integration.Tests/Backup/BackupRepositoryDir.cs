namespace PgHaInfra.Integration.Tests.Backup;

/// <summary>A pgBackRest repository in its own temp directory (reachable by the server user), removed on dispose.</summary>
public sealed class BackupRepositoryDir : IDisposable
{
    public BackupRepositoryDir()
    {
        Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"pgha-it-repo-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(Root, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
    }

    public string Root { get; }

    public string Path => System.IO.Path.Combine(Root, "repo");

    /// <summary>The stack lines for backups into this repository (indented as StackTemplates' extra lines).</summary>
    public string Keys(bool fromStandby = false, int retentionFull = 2, bool archiveAsync = true) => $"""
          pg-ha-infra:backup:
            repository:
              path: {Path}
            retention:
              full: {retentionFull}
            fromStandby: {(fromStandby ? "true" : "false")}
            archiveAsync: {(archiveAsync ? "true" : "false")}
        """;

    public void Dispose()
    {
        LeftoverProcesses.KillUnder(Root);

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

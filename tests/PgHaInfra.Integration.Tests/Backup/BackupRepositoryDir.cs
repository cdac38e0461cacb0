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

    /// <summary>pg-1, pg-2 and pg-dr applying <paramref name="delay"/> late, with this repository's backup keys.</summary>
    public string DelayedStack(string delay, bool fromStandby = false) => $$"""
        config:
          pg-ha-infra:topology: async
          pg-ha-infra:nodes:
            - name: pg-1
              port: {PORT0}
            - name: pg-2
              port: {PORT1}
            - name: pg-dr
              port: {PORT2}
              delay: {{delay}}
        {{Keys(fromStandby)}}
        """;

    /// <summary>SIGKILLs the primary and fails over to <paramref name="to"/> (or the best replica), as `pgha failover` does; reopens the fixture.</summary>
    public static async Task FailoverAsync(TestCluster test, string? to, CancellationToken cancellationToken)
    {
        await using (var harness = await Failover.FailoverHarness.OpenAsync(test, cancellationToken))
        {
            await harness.Control.CrashAsync(harness.Spec.PrimaryNode, cancellationToken);
            var decision = Operations.Failover.FailoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(cancellationToken), to, force: false);
            Assert.True(decision.Proceed, decision.Reason);
            var promotion = await harness.Runner.FailoverAsync(decision.Plan!, rejoin: false, cancellationToken);
            Assert.True(promotion.Succeeded, promotion.Error);
        }

        await test.OpenAsync(cancellationToken);
    }

    public void Dispose()
    {
        LeftoverProcesses.KillUnder(Root);

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

using PgHaInfra.Local;
using PgHaInfra.Local.Backup;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Drills.Restore;

namespace PgHaInfra.Integration.Tests.Backup;

/// <summary>`pgha drill --kind restore` as the CLI runs it: a real backup, a real PITR into a scratch cluster, and the report.</summary>
public sealed class RestoreDrillTests
{
    [Fact]
    public async Task The_restore_drill_finds_exactly_the_rows_committed_before_its_target_and_writes_its_report()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        using var repository = new BackupRepositoryDir();
        await using var test = await TestCluster.StartAsync("bk-drill", StackTemplates.Async(1, repository.Keys()), cancellationToken: deadline.Token);
        var port = PortBlock.Allocate(1)[0];
        var scratchSpec = RestoreDrill.ScratchSpec(test.Spec, port);
        await using var scratch = await LocalCluster.OpenAsync(scratchSpec, new LocalEngineOptions(Path.Combine(test.Root, "scratch")), deadline.Token);

        var report = await RestoreDrill.RunAsync(test.Cluster, scratch, SilentProgress.Instance, keepScratch: false, deadline.Token);
        var directory = await RestoreDrillReportWriter.WriteAsync(report, Path.Combine(test.Root, "drill"), deadline.Token);

        Assert.True(report.Passed, report.Verdict);
        Assert.Equal(100, report.Expected.Length);
        Assert.Equal(150, report.Rows.Length);
        Assert.Equal(report.Expected.ToArray(), report.Restored.ToArray());
        Assert.InRange(report.RestoreDuration, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(120));
        Assert.InRange(report.RecoveryPointGap!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Assert.False(Directory.Exists(Path.Combine(test.Root, "scratch", "data")), "the scratch cluster was removed");
        Assert.Contains("passed", await File.ReadAllTextAsync(Path.Combine(directory, DrillReportWriter.Markdown), deadline.Token), StringComparison.Ordinal);
        Assert.Contains("<svg", await File.ReadAllTextAsync(Path.Combine(directory, DrillReportWriter.Timeline), deadline.Token), StringComparison.Ordinal);
        Assert.Contains("\"rowsBeforeTarget\": 100", await File.ReadAllTextAsync(Path.Combine(directory, DrillReportWriter.Json), deadline.Token), StringComparison.Ordinal);
    }
}

using PgHaInfra.Local;
using PgHaInfra.Local.Backup;
using PgHaInfra.Operations.Backup;
using Xunit.Abstractions;

namespace PgHaInfra.Integration.Tests.Backup;

/// <summary>Backups and point-in-time restores with real pgBackRest (Debian's 2.45) and PostgreSQL, through the local engine.</summary>
public sealed class BackupTests(ITestOutputHelper output)
{
    private static CancellationTokenSource Deadline(int seconds = 240) => new(TimeSpan.FromSeconds(seconds));

    private static async Task ExecAsync(TestCluster test, string node, string sql, CancellationToken cancellationToken)
    {
        await using var command = test.Access.DataSource(node).CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed class Progress(ITestOutputHelper output) : IEngineProgress
    {
        public void Report(EngineStep step)
        {
            if (step.Elapsed is { } elapsed)
            {
                output.WriteLine($"{step.Node} {step.Step} {elapsed.TotalSeconds:0.00} s {step.Detail}");
            }
        }
    }

    [Fact]
    public async Task Full_and_incremental_backups_are_copied_from_the_streaming_standby_not_the_delayed_one()
    {
        using var deadline = Deadline();
        using var repository = new BackupRepositoryDir();
        await using var test = await TestCluster.StartAsync("bk-standby", repository.DelayedStack("3s", fromStandby: true), cancellationToken: deadline.Token);
        Assert.True(StanzaSetup.StanzaExists(test.Spec), "up created the stanza");

        var full = await LocalBackup.BackupAsync(test.Cluster, BackupType.Full, new Progress(output), deadline.Token);
        await ExecAsync(test, "pg-1", "create table items as select g as id from generate_series(1, 1000) g", deadline.Token);
        var incr = await LocalBackup.BackupAsync(test.Cluster, BackupType.Incr, new Progress(output), deadline.Token);

        Assert.Equal("pg-2", full.Source);
        Assert.Equal("full", full.Backup.Type);
        Assert.Equal("incr", incr.Backup.Type);
        Assert.Equal(full.Backup.Label, incr.Backup.Prior);
        Assert.True(incr.Backup.BackupSize < full.Backup.BackupSize, $"the incremental copied {incr.Backup.BackupSize} bytes, the full {full.Backup.BackupSize}");
        // pgBackRest's own log says where it copied from: the standby on pg2 (pg-2's data directory), not the primary.
        var log = await File.ReadAllTextAsync(Path.Combine(test.Layout.BackupRoot, "_pgha", "log", $"{test.Spec.Stanza}-backup.log"), deadline.Token);
        Assert.Contains("wait for replay on the standby to reach", log, StringComparison.Ordinal);
        Assert.Contains(test.DataDirectory("pg-2"), log, StringComparison.Ordinal);

        var catalog = await LocalBackup.InfoAsync(test.Cluster, deadline.Token);
        Assert.Equal(["full", "incr"], catalog.Backups.Select(b => b.Type));
        Assert.All(catalog.Backups, b => Assert.NotNull(b.WalStart));
    }

    [Fact]
    public async Task Retention_removes_the_oldest_full_backup()
    {
        using var deadline = Deadline();
        using var repository = new BackupRepositoryDir();
        await using var test = await TestCluster.StartAsync("bk-retain", StackTemplates.Async(0, repository.Keys(retentionFull: 1)), cancellationToken: deadline.Token);

        var first = await LocalBackup.BackupAsync(test.Cluster, BackupType.Full, new Progress(output), deadline.Token);
        var second = await LocalBackup.BackupAsync(test.Cluster, BackupType.Full, new Progress(output), deadline.Token);

        var catalog = await LocalBackup.InfoAsync(test.Cluster, deadline.Token);
        Assert.Equal([second.Backup.Label], catalog.Backups.Select(b => b.Label));
        Assert.False(Directory.Exists(Path.Combine(repository.Path, "backup", test.Spec.Stanza, first.Backup.Label)), "the expired backup's files are gone");
        // The WAL only the expired backup needed went with it: the archive now starts at the kept backup's first segment.
        Assert.Equal(second.Backup.WalStart, catalog.ArchiveMin);
    }

    [Fact]
    public async Task Point_in_time_restore_between_two_batches_keeps_the_first_and_none_of_the_second()
    {
        using var deadline = Deadline();
        using var repository = new BackupRepositoryDir();
        await using var source = await TestCluster.StartAsync("bk-pitr", StackTemplates.Async(1, repository.Keys()), cancellationToken: deadline.Token);
        await ExecAsync(source, "pg-1", "create table batches (batch int, id int, at timestamptz default clock_timestamp())", deadline.Token);
        await LocalBackup.BackupAsync(source.Cluster, BackupType.Full, new Progress(output), deadline.Token);
        // pgBackRest records a backup's stop in whole seconds and restores a time only from a backup that stopped before it.
        await Task.Delay(1100, deadline.Token);

        await ExecAsync(source, "pg-1", "insert into batches (batch, id) select 1, g from generate_series(1, 500) g", deadline.Token);
        await Task.Delay(300, deadline.Token);
        var target = await source.QueryAsync<DateTime>("pg-1", "select clock_timestamp()", deadline.Token);
        await Task.Delay(300, deadline.Token);
        await ExecAsync(source, "pg-1", "insert into batches (batch, id) select 2, g from generate_series(1, 500) g", deadline.Token);
        await ArchiveWait.SwitchAndWaitAsync(source.Access.DataSource("pg-1"), TimeSpan.FromSeconds(60), deadline.Token);

        await using var restored = await TestCluster.StartAsync("bk-pitr-into", StackTemplates.Async(1), up: false, cancellationToken: deadline.Token);
        var result = await LocalRestore.IntoNewClusterAsync(source.Cluster, restored.Cluster, new RestoreTarget(RestoreTargetKind.Time, Time: new DateTimeOffset(target, TimeSpan.Zero)), new Progress(output), deadline.Token);
        await restored.UpAsync(cancellationToken: deadline.Token);
        var report = await restored.VerifyAsync(cancellationToken: deadline.Token);

        Assert.True(report.Passed, report.Summary);
        Assert.Equal(500L, await restored.QueryAsync<long>("pg-1", "select count(*) from batches where batch = 1", deadline.Token));
        Assert.Equal(0L, await restored.QueryAsync<long>("pg-1", "select count(*) from batches where batch = 2", deadline.Token));
        Assert.Equal(2, result.Timeline);
        // The replica made by up copied the restored primary, so it holds the same rows.
        Assert.Equal(500L, await restored.QueryAsync<long>("pg-2", "select count(*) from batches", deadline.Token));
    }

    [Fact]
    public async Task After_a_failover_the_new_primary_archives_on_timeline_2_and_a_restore_to_a_later_time_follows_it()
    {
        using var deadline = Deadline(300);
        using var repository = new BackupRepositoryDir();
        await using var source = await TestCluster.StartAsync("bk-fo", StackTemplates.Async(2, repository.Keys()), cancellationToken: deadline.Token);
        await ExecAsync(source, "pg-1", "create table events (phase text, at timestamptz default clock_timestamp()); insert into events values ('before')", deadline.Token);
        await LocalBackup.BackupAsync(source.Cluster, BackupType.Full, new Progress(output), deadline.Token);

        await BackupRepositoryDir.FailoverAsync(source, null, deadline.Token);
        var primary = source.Spec.Primary;
        Assert.NotEqual("pg-1", primary);
        await ExecAsync(source, primary, "insert into events values ('after')", deadline.Token);
        await Task.Delay(300, deadline.Token);
        var target = await source.QueryAsync<DateTime>(primary, "select clock_timestamp()", deadline.Token);
        await Task.Delay(300, deadline.Token);
        await ExecAsync(source, primary, "insert into events values ('too late')", deadline.Token);
        var segment = await ArchiveWait.SwitchAndWaitAsync(source.Access.DataSource(primary), TimeSpan.FromSeconds(60), deadline.Token);
        Assert.StartsWith("00000002", segment, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(repository.Path, "archive", source.Spec.Stanza, "15-1", "00000002.history")), "the new primary archived its timeline history");

        await using var restored = await TestCluster.StartAsync("bk-fo-into", StackTemplates.Async(1), up: false, cancellationToken: deadline.Token);
        var result = await LocalRestore.IntoNewClusterAsync(source.Cluster, restored.Cluster, new RestoreTarget(RestoreTargetKind.Time, Time: new DateTimeOffset(target, TimeSpan.Zero)), new Progress(output), deadline.Token);
        await restored.UpAsync(cancellationToken: deadline.Token);
        Assert.True((await restored.VerifyAsync(cancellationToken: deadline.Token)).Passed);

        // Recovery followed timeline 2 past the failover, stopped at the target and promoted onto timeline 3.
        Assert.Equal(3, result.Timeline);
        Assert.Equal("after,before", await restored.QueryAsync<string>("pg-1", "select string_agg(phase, ',' order by phase) from events", deadline.Token));
    }
}

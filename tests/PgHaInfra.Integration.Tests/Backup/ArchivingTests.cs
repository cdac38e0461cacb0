using PgHaInfra.Cli.Commands.Metrics;
using PgHaInfra.Operations.Lag;
using Prometheus;

namespace PgHaInfra.Integration.Tests.Backup;

/// <summary>Failed archiving, as `pgha lag` and `pgha metrics` see it: a real archive_command (pgBackRest archive-push) that fails, then recovers.</summary>
public sealed class ArchivingTests
{
    private static async Task<string> ExposeAsync(LagMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream, CancellationToken.None);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task A_repository_that_refuses_WAL_makes_lag_critical_and_sets_the_failing_metric_until_it_is_back()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        using var repository = new BackupRepositoryDir();
        await using var test = await TestCluster.StartAsync("bk-archfail", StackTemplates.Async(1, repository.Keys()), cancellationToken: deadline.Token);
        await using var probe = new LagProbe(test.Access);
        var metrics = new LagMetrics();

        var healthy = await probe.AssessAsync(deadline.Token);
        Assert.NotNull(healthy.Archiving);
        Assert.True(healthy.Archiving!.Level == LagLevel.Ok, healthy.Archiving.Reason);
        Assert.Equal(LagLevel.Ok, healthy.Level);

        // The stanza's archive goes away: every archive-push now fails (archive.info is missing), as with a lost or full store.
        var archive = Path.Combine(repository.Path, "archive", test.Spec.Stanza);
        Directory.Move(archive, archive + ".away");
        await using (var command = test.Access.DataSource("pg-1").CreateCommand("create table t as select 1 as x; select pg_switch_wal()"))
        {
            await command.ExecuteNonQueryAsync(deadline.Token);
        }

        LagReport? failing = null;
        await TestCluster.EventuallyAsync(async () => (failing = await probe.AssessAsync(deadline.Token)).Archiving?.Failing == true, TimeSpan.FromSeconds(60), "pg_stat_archiver reports a failure newer than the last success");
        Assert.Equal(LagLevel.Critical, failing!.Level);
        Assert.StartsWith("archiving fails on pg-1", failing.Archiving!.Reason, StringComparison.Ordinal);
        Assert.Equal(failing.Archiving.Reason, failing.Reason);
        metrics.Update(failing);
        var exposition = await ExposeAsync(metrics);
        Assert.Contains("pgha_archive_failing{cluster=\"bk-archfail\",node=\"pg-1\"} 1", exposition, StringComparison.Ordinal);
        Assert.Matches("pgha_archive_failed_count\\{cluster=\"bk-archfail\",node=\"pg-1\"\\} [1-9]", exposition);

        // Back: the archiver's next retry succeeds and the report clears.
        Directory.Move(archive + ".away", archive);
        LagReport? recovered = null;
        await TestCluster.EventuallyAsync(async () => (recovered = await probe.AssessAsync(deadline.Token)).Archiving?.Failing == false, TimeSpan.FromSeconds(90), "archiving recovers once the repository is back");
        Assert.Equal(LagLevel.Ok, recovered!.Archiving!.Level);
        metrics.Update(recovered);
        Assert.Contains("pgha_archive_failing{cluster=\"bk-archfail\",node=\"pg-1\"} 0", await ExposeAsync(metrics), StringComparison.Ordinal);
    }
}

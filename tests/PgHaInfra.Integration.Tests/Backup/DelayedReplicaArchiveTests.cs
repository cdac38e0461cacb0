using PgHaInfra.Operations.Backup;
using PgHaInfra.Operations.Lag;
using Xunit.Abstractions;

namespace PgHaInfra.Integration.Tests.Backup;

/// <summary>
/// A delayed standby starts no WAL receiver while it waits out its delay (POSTGRES-NOTES note 17). With backups
/// configured its restore_command reads the repository, so after a failover it replays the new timeline anyway.
/// </summary>
public sealed class DelayedReplicaArchiveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task After_a_failover_the_delayed_replica_replays_the_new_timeline_from_the_archive_once_its_delay_has_passed()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        using var repository = new BackupRepositoryDir();
        await using var test = await TestCluster.StartAsync("bk-delayed", repository.DelayedStack($"{(int)Delay.TotalSeconds}s"), cancellationToken: deadline.Token);
        await using (var create = test.Access.DataSource("pg-1").CreateCommand("create table marks (phase text, at timestamptz default clock_timestamp()); insert into marks values ('before')"))
        {
            await create.ExecuteNonQueryAsync(deadline.Token);
        }

        // pg-dr holds the 'before' row once its delay has passed; then the primary is lost.
        await TestCluster.EventuallyAsync(async () => await CountAsync(test, "pg-dr", "before", deadline.Token) == 1, Delay * 3, "pg-dr applies the first row after its delay");
        await BackupRepositoryDir.FailoverAsync(test, "pg-2", deadline.Token);
        Assert.Equal("pg-2", test.Spec.Primary);
        await using (var after = test.Access.DataSource("pg-2").CreateCommand("insert into marks values ('after failover')"))
        {
            await after.ExecuteNonQueryAsync(deadline.Token);
        }

        var written = DateTimeOffset.UtcNow;
        await ArchiveWait.SwitchAndWaitAsync(test.Access.DataSource("pg-2"), TimeSpan.FromSeconds(60), deadline.Token);

        // While it waits out its delay, lag says what is true of it: it is behind the new primary.
        await using var probe = new LagProbe(test.Access);
        var during = await probe.AssessAsync(deadline.Token);
        var dr = during.Replicas.Single(r => r.Replica == "pg-dr");
        output.WriteLine($"during: {dr.Level} {dr.Reason}");

        // No manual step: once the delay has passed, the row written on timeline 2 is there.
        await TestCluster.EventuallyAsync(async () => await CountAsync(test, "pg-dr", "after failover", deadline.Token) == 1, Delay * 4, "pg-dr replays past the failover point on the new timeline");
        var seenAfter = DateTimeOffset.UtcNow - written;
        output.WriteLine($"pg-dr showed the row {seenAfter.TotalSeconds:0.0} s after it was written");
        Assert.True(seenAfter >= Delay - TimeSpan.FromSeconds(1), $"the row appeared after {seenAfter}, before the {Delay} delay: the delay was not applied");
        Assert.Equal(2, await test.QueryAsync<int>("pg-dr", "select received_tli from pg_stat_wal_receiver union all select timeline_id from pg_control_checkpoint() limit 1", deadline.Token));
        var log = await File.ReadAllTextAsync(test.Layout.LogFile("pg-dr"), deadline.Token);
        Assert.Contains("restored log file \"00000002.history\" from archive", log, StringComparison.Ordinal);

        var settled = await probe.AssessAsync(deadline.Token);
        output.WriteLine($"after: {settled.Replicas.Single(r => r.Replica == "pg-dr").Level} {settled.Replicas.Single(r => r.Replica == "pg-dr").Reason}");
    }

    private static async Task<long> CountAsync(TestCluster test, string node, string phase, CancellationToken cancellationToken)
    {
        await using var command = test.Access.DataSource(node).CreateCommand("select count(*) from marks where phase = $1");
        command.Parameters.AddWithValue(phase);
        try
        {
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == "42P01")
        {
            return 0;
        }
    }
}

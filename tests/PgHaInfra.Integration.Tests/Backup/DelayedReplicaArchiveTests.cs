using System.Diagnostics;
using PgHaInfra.Operations.Backup;
using PgHaInfra.Operations.Lag;
using Xunit.Abstractions;

namespace PgHaInfra.Integration.Tests.Backup;

/// <summary>
/// A delayed standby starts no WAL receiver while it waits out its delay (POSTGRES-NOTES note 17). With backups
/// configured its restore_command reads the repository, so after a failover it replays the new timeline anyway, also
/// when the new primary no longer holds the WAL it needs: here the new primary switches segments past what its
/// wal.keepSize and wal.maxSlotKeepSize keep and checkpoints while the delayed replica still waits, so the segment
/// holding the row written after the failover is gone from it, and only the archive can bring the replica forward.
/// </summary>
public sealed class DelayedReplicaArchiveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(30);

    /// <summary>The new primary keeps one segment beyond its current one, and a slot may hold back at most three.</summary>
    private const string SmallWalKeys = """

          pg-ha-infra:wal:
            keepSize: 16MB
            maxSlotKeepSize: 48MB
        """;

    [Fact]
    public async Task After_a_failover_the_delayed_replica_replays_from_the_archive_WAL_the_new_primary_no_longer_holds()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        using var repository = new BackupRepositoryDir();
        await using var test = await TestCluster.StartAsync("bk-delayed", repository.DelayedStack($"{(int)Delay.TotalSeconds}s") + SmallWalKeys, cancellationToken: deadline.Token);

        // pg-dr receives the 'before' row at once (its WAL receiver streams; only replay waits), and then waits out its
        // delay on that commit while the primary is lost: it asks no one for WAL during that wait.
        await using (var create = test.Access.DataSource("pg-1").CreateCommand("create table marks (phase text, at timestamptz default clock_timestamp()); insert into marks values ('before')"))
        {
            await create.ExecuteNonQueryAsync(deadline.Token);
        }

        var before = await test.QueryAsync<string>("pg-1", "select pg_current_wal_lsn()::text", deadline.Token);
        var beforeClock = Stopwatch.StartNew();
        await TestCluster.EventuallyAsync(async () => await test.QueryAsync<bool>("pg-dr", $"select pg_last_wal_receive_lsn() >= '{before}'", deadline.Token), TimeSpan.FromSeconds(20), "pg-dr receives the 'before' row");
        await BackupRepositoryDir.FailoverAsync(test, "pg-2", deadline.Token);
        Assert.Equal("pg-2", test.Spec.Primary);
        var primary = test.Access.DataSource("pg-2");
        await using (var after = primary.CreateCommand("insert into marks values ('after failover')"))
        {
            await after.ExecuteNonQueryAsync(deadline.Token);
        }

        var written = Stopwatch.StartNew();
        var afterSegment = await test.QueryAsync<string>("pg-2", "select pg_walfile_name(pg_current_wal_lsn())", deadline.Token);
        Assert.StartsWith("00000002", afterSegment, StringComparison.Ordinal);

        // The new primary moves on: each segment closed and archived, then a checkpoint recycles what wal_keep_size no
        // longer keeps and invalidates pg-dr's slot (held back more than max_slot_wal_keep_size).
        for (var i = 0; i < 5; i++)
        {
            await using (var fill = primary.CreateCommand("insert into marks values ('filler')"))
            {
                await fill.ExecuteNonQueryAsync(deadline.Token);
            }

            await ArchiveWait.SwitchAndWaitAsync(primary, TimeSpan.FromSeconds(60), deadline.Token);
        }

        await using (var checkpoint = primary.CreateCommand("checkpoint"))
        {
            await checkpoint.ExecuteNonQueryAsync(deadline.Token);
        }

        var onPrimary = await test.QueryAsync<long>("pg-2", $"select count(*) from pg_ls_waldir() where name = '{afterSegment}'", deadline.Token);
        var slot = await test.QueryAsync<string>("pg-2", "select coalesce((select wal_status from pg_replication_slots where slot_name = 'pg_dr'), 'no slot')", deadline.Token);
        var stillWaiting = await CountAsync(test, "pg-dr", "before", deadline.Token) == 0;
        output.WriteLine($"{beforeClock.Elapsed.TotalSeconds:0.0} s after 'before': segment {afterSegment} on pg-2: {onPrimary}; pg-dr's slot on pg-2: {slot}; pg-dr still waits out its delay: {stillWaiting}");
        Assert.Equal(0, onPrimary);
        Assert.True(slot is "lost" or "no slot", $"pg-dr's slot on pg-2 is {slot}: it still holds the WAL, so streaming could serve it");
        Assert.True(stillWaiting, "pg-dr applied the 'before' row already: it may have read the new timeline before its WAL left the primary");

        // While it waits out its delay, lag says what is true of it: it is behind the new primary.
        await using var probe = new LagProbe(test.Access);
        var during = await probe.AssessAsync(deadline.Token);
        var dr = during.Replicas.Single(r => r.Replica == "pg-dr");
        output.WriteLine($"during: {dr.Level.Name()} {dr.Reason}");

        // No manual step: once the delay has passed, the row written on timeline 2 is there, read from the archive, with
        // no WAL receiver streaming on the way (the primary no longer has that WAL).
        var streamed = new List<string>();
        await TestCluster.EventuallyAsync(async () =>
        {
            var receiver = await test.QueryAsync<string>("pg-dr", "select coalesce((select status || ' tli ' || received_tli from pg_stat_wal_receiver), 'none')", deadline.Token);
            if (receiver.StartsWith("streaming", StringComparison.Ordinal))
            {
                streamed.Add(receiver);
            }

            return await CountAsync(test, "pg-dr", "after failover", deadline.Token) == 1;
        }, Delay * 4, "pg-dr replays past the failover point on the new timeline");
        output.WriteLine($"pg-dr showed the row {written.Elapsed.TotalSeconds:0.0} s after it was written; WAL receiver samples streaming before: {streamed.Count}");
        Assert.True(written.Elapsed >= Delay - TimeSpan.FromSeconds(1), $"the row appeared after {written.Elapsed}, before the {Delay} delay: the delay was not applied");
        Assert.Empty(streamed);
        var log = await File.ReadAllTextAsync(test.Layout.LogFile("pg-dr"), deadline.Token);
        Assert.Contains("restored log file \"00000002.history\" from archive", log, StringComparison.Ordinal);
        Assert.Contains($"restored log file \"{afterSegment}\" from archive", log, StringComparison.Ordinal);

        var settled = await probe.AssessAsync(deadline.Token);
        var drAfter = settled.Replicas.Single(r => r.Replica == "pg-dr");
        output.WriteLine($"after: {drAfter.Level.Name()} {drAfter.Reason}");
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

using PgHaInfra.Examples.ReadWrite;
using Xunit.Abstractions;

namespace PgHaInfra.Integration.Tests.Applications;

/// <summary>
/// Read-your-writes on a replica: with synchronous_commit = remote_apply (the stack's synchronous.commit), a read on
/// the synchronous standby right after an acknowledged write always sees it; with `on` the test reports how often it
/// did not (replica lag: the standby flushed the WAL but had not replayed it yet).
/// </summary>
public sealed class ReadYourWritesTests(ITestOutputHelper output)
{
    private const int Writes = 300;

    // StackTemplates.SyncFirst: FIRST 1 (pg-2, pg-3), so pg-2 is the synchronous standby.

    [Fact]
    public async Task With_remote_apply_a_read_on_the_synchronous_standby_right_after_a_write_always_sees_it()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = deadline.Token;
        await using var test = await TestCluster.StartAsync("app-ryw", StackTemplates.SyncFirstCommitting("remote_apply"), cancellationToken: ct);
        Assert.Equal("sync", await test.QueryAsync<string>("pg-1", "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'pg-2'", ct));

        var withRemoteApply = await MissesAsync(test, "remote_apply", ct);

        await test.WriteStackAsync(StackTemplates.SyncFirstCommitting("on"), ct);
        await test.UpAsync(cancellationToken: ct);
        var withOn = await MissesAsync(test, "on", ct);

        output.WriteLine($"read on the synchronous standby right after the write, {Writes} writes each: " +
            $"remote_apply missed {withRemoteApply}, on missed {withOn} ({100.0 * withOn / Writes:0.#}%)");
        Assert.Equal(0, withRemoteApply);
    }

    /// <summary>Writes through the example, each read at once on pg-2; returns how many reads did not see their write.</summary>
    private static async Task<int> MissesAsync(TestCluster test, string expected, CancellationToken ct)
    {
        var access = test.Access;
        await using var database = AppConnection.Open(access);
        await using var standby = RoutedDatabase.OpenNode(AppConnection.EndpointsFor(access), AppConnection.HostPort(access, "pg-2"), access.Credentials.SuperuserPassword);
        var store = new OrderStore(database);
        await store.CreateSchemaAsync(ct);
        await using (var show = database.Writes.CreateCommand("SHOW synchronous_commit"))
        {
            Assert.Equal(expected, (string?)await show.ExecuteScalarAsync(ct));
        }

        var misses = 0;
        for (var i = 0; i < Writes; i++)
        {
            var written = await store.PlaceOrderAsync(Guid.NewGuid(), expected, i + 1, ct);
            var read = await OrderStore.GetOrderOnAsync(standby, written.Key, ct);
            Assert.Equal("pg-2", read.Node);
            misses += read.Found ? 0 : 1;
        }

        return misses;
    }
}

using PgHaInfra.Integration.Tests.Failover;
using PgHaInfra.Local;
using PgHaInfra.Local.Failover;
using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Integration.Tests.Safety;

/// <summary>
/// A rewind whose source cannot be reached deletes nothing: no re-clone after a connection error, and the old primary
/// stays fenced with standby.signal, so even a hand-typed start brings it up read-only.
/// </summary>
public sealed class UnreachableRewindSourceTests
{
    [Fact]
    public async Task A_rewind_against_an_unreachable_source_keeps_the_data_and_the_node_fenced_and_read_only()
    {
        using var deadline = FailoverHarness.Deadline(240);
        await using var test = await TestCluster.StartAsync("safe-rewind", StackTemplates.Async(2), cancellationToken: deadline.Token);
        await using var harness = await FailoverHarness.OpenAsync(test, deadline.Token);
        await harness.QueryAsync<int>("pg-1", "CREATE TABLE old_data AS SELECT generate_series(1, 100) AS n; SELECT 1", deadline.Token);
        await harness.Control.CrashAsync(harness.Spec.Node("pg-1"), deadline.Token);
        var decision = FailoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(deadline.Token), null, force: false);
        Assert.True(decision.Proceed, decision.Reason);
        var failover = await harness.Runner.FailoverAsync(decision.Plan!, rejoin: false, deadline.Token);
        Assert.True(failover.Succeeded, failover.Error);
        var next = decision.Plan!.Next;
        var target = decision.Plan.Target;
        var other = next.Replicas.Single(r => r.Name is not "pg-1").Name;

        // pg_rewind's source, the new primary, goes away (after the CHECKPOINT a rejoin asks of it first), so it is
        // pg_rewind itself that finds its source unreachable. Consent to re-clone is given: it must not be used.
        await harness.QueryAsync<object>(target, "CHECKPOINT", deadline.Token);
        await test.StopNodeAsync(target, StopMode.Fast, deadline.Token);
        var dataDirectory = test.DataDirectory("pg-1");
        var control = new LocalNodeControl(test.Cluster, await test.Cluster.BinariesAsync(deadline.Token)) { AllowReclone = true };

        var refused = await Assert.ThrowsAsync<FailoverException>(() => control.RejoinAsync(next, next.Node("pg-1"), deadline.Token));

        Assert.Contains("Nothing was deleted", refused.Message, StringComparison.Ordinal);
        Assert.Contains("no reason to re-clone", refused.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dataDirectory, "PG_VERSION")) && File.Exists(Path.Combine(dataDirectory, "global", "pg_control")), "pg-1's cluster is still there");
        Assert.True(File.Exists(Path.Combine(dataDirectory, Fence.MarkerFile)), "pg-1 stays fenced");
        Assert.True(File.Exists(Path.Combine(dataDirectory, "standby.signal")), "pg-1 keeps standby.signal");

        // A start by hand (as an operator might) brings it up read-only, with its own data.
        await test.StartNodeAsync("pg-1", deadline.Token);
        harness.Access.DataSource("pg-1").Clear();
        Assert.True(await harness.QueryAsync<bool>("pg-1", "SELECT pg_is_in_recovery()", deadline.Token));
        Assert.Equal(100L, await harness.QueryAsync<long>("pg-1", "SELECT count(*) FROM old_data", deadline.Token));

        // Once the source is back, the rejoin succeeds by pg_rewind, without a re-clone.
        await test.StartNodeAsync(target, deadline.Token);
        harness.Access.DataSource(target).Clear();
        var rejoin = await harness.Runner.RejoinAsync(next, "pg-1", deadline.Token);
        Assert.True(rejoin.Succeeded, rejoin.Error);
        Assert.NotEqual(RejoinMethod.Reclone, rejoin.Rejoin!.Method);
    }
}

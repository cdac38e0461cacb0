using System.Collections.Immutable;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Replication;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Core.Tests.Robustness;

/// <summary>
/// A promotion killed between promote and record leaves a writable replica the engine does not record. Running
/// `pgha failover` again then must not promote a second node (the kill matrix found it did), even with --force.
/// </summary>
public sealed class InterruptedPromotionPlanningTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Failover_is_refused_while_another_node_than_the_recorded_primary_accepts_writes(bool force)
    {
        var spec = await StackFixtures.LoadAsync("local");
        var observation = new ClusterObservation(
        [
            NodeObservation.Unreachable("pg-1", "Connection refused"),
            new() { Node = "pg-2", InRecovery = false, CurrentLsn = Lsn.Parse("0/4000000"), Timeline = 2 },
            new() { Node = "pg-3", InRecovery = true, ReceiveLsn = Lsn.Parse("0/3000148"), ReplayLsn = Lsn.Parse("0/3000148"), Timeline = 1 },
        ], DateTimeOffset.UnixEpoch, TimeSpan.Zero);

        var decision = FailoverPlanner.Plan(spec, observation, null, force);

        Assert.False(decision.Proceed);
        Assert.Contains("one primary: pg-2 already accepts writes (a promotion that was never recorded?)", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("`pgha failover --adopt pg-2`", decision.Reason, StringComparison.Ordinal);
    }
}

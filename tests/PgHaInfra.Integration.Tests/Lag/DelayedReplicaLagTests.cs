using System.Diagnostics;
using PgHaInfra.Operations.Lag;

namespace PgHaInfra.Integration.Tests.Lag;

/// <summary>A delayed replica is judged against its configured delay, not against the time thresholds alone.</summary>
public sealed class DelayedReplicaLagTests
{
    private const string Template = """
        config:
          pg-ha-infra:topology: async
          pg-ha-infra:nodes:
            - name: pg-1
              port: {PORT0}
            - name: pg-2
              port: {PORT1}
            - name: pg-dr
              port: {PORT2}
              delay: 3s
          pg-ha-infra:lag:
            warningBytes: 1MB
            criticalBytes: 4MB
            warningTime: 2s
            criticalTime: 4s
        """;

    [Fact]
    public async Task A_replica_three_seconds_late_by_design_is_ok_under_a_two_second_warning_level()
    {
        await using var cluster = await TestCluster.StartAsync("lagdelay", Template);
        await cluster.QueryAsync<int>("pg-1", "CREATE TABLE ticks (at timestamptz DEFAULT now()); SELECT 1");
        await using var probe = new LagProbe(cluster.Access);

        // Small commits for longer than the delay, so the delayed replica is replaying 3 s old commits.
        var writing = Stopwatch.StartNew();
        LagReport? report = null;
        while (writing.Elapsed < TimeSpan.FromSeconds(8))
        {
            await cluster.QueryAsync<int>("pg-1", "INSERT INTO ticks DEFAULT VALUES; SELECT 1");
            await Task.Delay(100);
            if (writing.Elapsed > TimeSpan.FromSeconds(5))
            {
                report = await probe.AssessAsync(CancellationToken.None);
                if (report.Replicas.Single(r => r.Replica == "pg-dr").TimeLag > TimeSpan.FromSeconds(2.5))
                {
                    break;
                }
            }
        }

        var dr = report!.Replicas.Single(r => r.Replica == "pg-dr");
        Assert.True(dr.TimeLag > TimeSpan.FromSeconds(2.5), $"the delayed replica should be seen about 3 s behind: {dr.TimeLag} ({dr.Reason})");
        Assert.True(dr.Level == LagLevel.Ok, $"{dr.Level}: {dr.Reason}");
        Assert.True(dr.JudgedTimeLag < TimeSpan.FromSeconds(2), $"judged {dr.JudgedTimeLag}");
        Assert.Equal(TimeSpan.FromSeconds(3), dr.ApplyDelay);
        Assert.Contains("beyond its 3.0 s apply delay", dr.Reason);
        Assert.Equal(LagLevel.Ok, report.Replicas.Single(r => r.Replica == "pg-2").Level);
    }
}

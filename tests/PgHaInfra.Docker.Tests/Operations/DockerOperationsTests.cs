using System.Diagnostics;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Replication;
using LagProbe = PgHaInfra.Operations.Lag.LagProbe;
using PgHaInfra.Operations.Status;
using Xunit.Abstractions;

namespace PgHaInfra.Docker.Tests.Operations;

/// <summary>
/// A cluster deployed on the real engine and then operated the way `pgha docker` operates it: status and lag, a
/// switchover and a container-kill failover under continuous writes through the write endpoint, the old primary
/// rejoining (pg_rewind in a container on its volume), the write name moving, and the description re-applied with
/// the new primary (what the next `pulumi up` does) touching no running container.
/// </summary>
public sealed class DockerOperationsTests(ITestOutputHelper output)
{
    [DockerTheory]
    [Trait("Category", "DockerOps")]
    [InlineData("opssync")]
    [InlineData("opsasync")]
    public async Task Switchover_then_container_kill_failover_under_writes_move_the_names_rejoin_and_survive_a_reapply(string stack)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = timeout.Token;
        await using var cluster = await OperatedCluster.DeployAsync(stack, ct);
        var sync = cluster.Spec.Synchronous is not null;

        // The credentials come from the containers, not from the operator.
        Assert.Equal(cluster.Deployed.Secrets.SuperuserPassword, cluster.Docker.Credentials.SuperuserPassword);
        Assert.Equal(cluster.Deployed.Secrets.ReplicationPassword, cluster.Docker.Credentials.ReplicationPassword);

        // Status and lag of the deployed cluster.
        var status = await ClusterStatusReader.ReadAsync(cluster.Docker.Access, ct);
        Assert.Equal("primary", status.Single(n => n.Name == cluster.Spec.Primary).Role);
        Assert.All(status.Where(n => n.Name != cluster.Spec.Primary), n => Assert.Equal("replica", n.Role));
        await using (var probe = new LagProbe(cluster.Docker.Access))
        {
            var lag = await probe.AssessAsync(ct);
            Assert.Equal(cluster.Spec.Replicas.Count(), lag.Replicas.Length);
            output.WriteLine($"lag: {lag.Level} ({lag.Reason})");
        }

        await cluster.AssertNamesFollowAsync(ct);

        // 1. Switchover to a replica under continuous writes; the old primary rejoins at once.
        var target = cluster.Spec.Replicas.First().Name;
        var switched = await PromoteUnderWritesAsync(cluster, "switchover", async (runner, observation) =>
        {
            var decision = SwitchoverPlanner.Plan(cluster.Spec, observation, target, force: false);
            Assert.True(decision.Plan is not null, decision.Reason);
            return await runner.SwitchoverAsync(decision.Plan, rejoin: true, ct);
        }, crash: null, ct);
        Assert.Empty(switched.Missing);
        Assert.Equal(target, cluster.Spec.Primary);
        Assert.Equal(RejoinMethod.NoRewindNeeded, switched.Report.Rejoin?.Method);
        await AssertRolesAsync(cluster, ct);
        await cluster.AssertNamesFollowAsync(ct);

        // The next command reads the recorded primary back, and says how the stack follows.
        await cluster.ReopenAsync(ct);
        Assert.Equal(target, cluster.Spec.Primary);
        Assert.Equal($"pulumi config set pg-ha-infra:primary {target} --stack {stack}", cluster.Docker.PulumiConfigLine);
        await AssertReapplyTouchesNothingAsync(cluster, ct);

        // 2. The new primary's container is killed (a lost host) under continuous writes; failover, then rejoin.
        var victim = cluster.Spec.Primary;
        var failed = await PromoteUnderWritesAsync(cluster, "failover", async (runner, observation) =>
        {
            var decision = FailoverPlanner.Plan(cluster.Spec, observation, null, force: false);
            Assert.True(decision.Plan is not null, decision.Reason);
            return await runner.FailoverAsync(decision.Plan, rejoin: false, ct);
        }, crash: victim, ct);
        output.WriteLine($"failover ({(sync ? "sync" : "async")}): {failed.Acknowledged} acknowledged commits, {failed.Missing.Length} lost: [{string.Join(", ", failed.Missing)}]");
        if (sync)
        {
            Assert.Empty(failed.Missing);
        }

        Assert.NotEqual(victim, cluster.Spec.Primary);
        var steps = new List<StepTiming>();
        var rejoin = await cluster.Runner(cluster.Control(), steps).RejoinAsync(cluster.Spec, victim, ct);
        Assert.True(rejoin.Succeeded, rejoin.Error);
        output.WriteLine($"rejoin of {victim}: {rejoin.Rejoin?.Method} {rejoin.Rejoin?.Reason} in {rejoin.Total.TotalMilliseconds:0} ms");
        await AssertRolesAsync(cluster, ct);
        await cluster.AssertNamesFollowAsync(ct);
        await AssertReapplyTouchesNothingAsync(cluster, ct);
        var check = await cluster.Deployed.CheckAsync(ct);
        Assert.True(check.Passed, check.Summary);
    }

    private sealed record Promotion(PromotionReport Report, int Acknowledged, System.Collections.Immutable.ImmutableArray<long> Missing);

    /// <summary>Continuous writes through the write endpoint around one promotion (after a docker kill of <paramref name="crash"/> when given).</summary>
    private async Task<Promotion> PromoteUnderWritesAsync(OperatedCluster cluster, string kind,
        Func<PromotionRunner, ClusterObservation, Task<PromotionReport>> promote, string? crash, CancellationToken ct)
    {
        await using var writer = cluster.Writer($"{kind}-{Guid.NewGuid():N}"[..20]);
        await writer.PrepareAsync(ct);
        writer.Start();
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var control = cluster.Control();
        var clock = Stopwatch.StartNew();
        if (crash is not null)
        {
            output.WriteLine(await control.CrashAsync(cluster.Spec.Node(crash), ct));
        }

        var observation = crash is null
            ? await ReplicationObserver.ObserveAsync(cluster.Docker.Access, ct)
            : await ReplicationObserver.ObserveConfirmingAsync(cluster.Docker.Access, ct);
        var steps = new List<StepTiming>();
        var report = await promote(cluster.Runner(control, steps), observation);
        foreach (var step in report.Steps)
        {
            output.WriteLine($"  {step.Step,-18} {step.Node,-10} {step.Elapsed.TotalMilliseconds,7:0} ms  {step.Detail}");
        }

        Assert.True(report.Succeeded, $"{report.Error}: {report.Aftermath}");
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        await writer.StopAsync();
        var records = writer.Records;
        var firstOnNew = records.FirstOrDefault(r => r.Acknowledged && r.Node == report.NewPrimary && r.SentAt > DateTimeOffset.UtcNow - clock.Elapsed);
        output.WriteLine($"{kind}: {report.OldPrimary} -> {report.NewPrimary} in {report.Total.TotalMilliseconds:0} ms; " +
            $"first acknowledged write on {report.NewPrimary} {(firstOnNew is null ? "none" : $"{(firstOnNew.DoneAt - (DateTimeOffset.UtcNow - clock.Elapsed)).TotalMilliseconds:0} ms")} after the start; " +
            $"record-primary (the write name moved) took {report.Steps.Single(s => s.Step == "record-primary").Elapsed.TotalMilliseconds:0} ms");
        Assert.NotNull(firstOnNew);
        var missing = await writer.MissingOnAsync(cluster.Docker.Access.DataSource(report.NewPrimary), ct);
        return new Promotion(report, records.Count(r => r.Acknowledged), missing);
    }

    /// <summary>Every node is in the role the recorded primary says, as PostgreSQL itself reports it.</summary>
    private static async Task AssertRolesAsync(OperatedCluster cluster, CancellationToken ct)
    {
        foreach (var node in cluster.Spec.Nodes)
        {
            Assert.Equal(cluster.Spec.IsPrimary(node) ? "False" : "True", await cluster.ScalarAsync(node.Name, "SELECT pg_is_in_recovery()", ct));
        }
    }

    /// <summary>
    /// What the next `pulumi up` does once the stack names the new primary: the description applied again. No container
    /// may be replaced or restarted, no node change role, and the drill's rows stay.
    /// </summary>
    private async Task AssertReapplyTouchesNothingAsync(OperatedCluster cluster, CancellationToken ct)
    {
        var before = await cluster.StartedAtAsync(ct);
        var rows = await cluster.ScalarAsync(cluster.Spec.Primary, $"SELECT count(*) FROM {ContinuousWriter.Table}", ct);
        var replaced = await cluster.Deployed.UpdateAsync(cluster.Spec, cluster.Deployed.Secrets, ct);
        Assert.Empty(replaced);
        Assert.Equal(before, await cluster.StartedAtAsync(ct));
        await AssertRolesAsync(cluster, ct);
        Assert.Equal(rows, await cluster.ScalarAsync(cluster.Spec.Primary, $"SELECT count(*) FROM {ContinuousWriter.Table}", ct));
        output.WriteLine($"re-apply with primary {cluster.Spec.Primary}: no container replaced or restarted; {rows} drill rows kept");
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using PgHaInfra.Local.Patroni;
using PgHaInfra.Operations.Patroni;
using Xunit.Abstractions;

namespace PgHaInfra.Integration.Tests.Patroni;

/// <summary>One synchronous Patroni cluster (FIRST 1 of 2, fast profile, HAProxy) shared by the tests of this class.</summary>
public sealed class SyncPatroniCluster : IAsyncLifetime
{
    public PatroniTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await PatroniTestCluster.StartAsync("itpsync", PatroniTemplates.Sync());

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Switchover, manager loss, node loss and dynamic configuration on a real Patroni 3.0.2 + etcd 3.4 cluster. Each
/// test starts from a healthy cluster and leaves one.
/// </summary>
public sealed class PatroniFailoverTests(SyncPatroniCluster fixture, ITestOutputHelper output) : IClassFixture<SyncPatroniCluster>
{
    private PatroniTestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Haproxy_write_port_lands_on_the_leader_and_read_port_on_replicas()
    {
        var view = await Cluster.WaitHealthyAsync();
        var haproxy = Cluster.Spec.Failover.Patroni!.Haproxy!;
        var credentials = await Cluster.CredentialsAsync();
        async Task<(bool Recovery, int Port)> ThroughAsync(int port)
        {
            var builder = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = credentials.Superuser, Password = credentials.SuperuserPassword, Database = "postgres", Pooling = false, Timeout = 3 };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery(), current_setting('port')::int", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetBoolean(0), reader.GetInt32(1));
        }

        // HAProxy's checks need a moment after a change of leader; the ports are judged once they settled.
        var leaderPort = Cluster.Cluster.Addresses[view.Leader!.Name].Port;
        await TestCluster.EventuallyAsync(async () => (await ThroughAsync(haproxy.WritePort)).Port == leaderPort, TimeSpan.FromSeconds(10), "HAProxy's write port to reach the leader");
        var write = await ThroughAsync(haproxy.WritePort);
        Assert.False(write.Recovery);
        // Round robin over every healthy replica; a member that just rejoined is admitted at HAProxy's next check.
        var replicaPorts = Cluster.Spec.Nodes.Where(n => n.Name != view.Leader.Name).Select(n => Cluster.Cluster.Addresses[n.Name].Port).ToHashSet();
        var readPorts = new HashSet<int>();
        await TestCluster.EventuallyAsync(async () =>
        {
            var read = await ThroughAsync(haproxy.ReadPort);
            Assert.True(read.Recovery, "the read port landed on the primary");
            readPorts.Add(read.Port);
            return readPorts.SetEquals(replicaPorts);
        }, TimeSpan.FromSeconds(10), "the read port to reach every replica");
    }

    [Fact]
    public async Task Switchover_through_patroni_promotes_the_synchronous_standby_and_verifies()
    {
        var view = await Cluster.WaitHealthyAsync();
        var target = view.Members.Single(m => m.IsSynchronous).Name;
        var async = view.Members.Single(m => !m.IsLeader && !m.IsSynchronous).Name;
        Assert.True(PatroniPreconditions.Switchover(Cluster.Spec, view, async).Refused, "an asynchronous replica must be refused in synchronous mode");

        var decision = PatroniPreconditions.Switchover(Cluster.Spec, view, target);
        using var client = Cluster.Client();
        var report = await PatroniPromotion.RunAsync(client, decision, planned: true, TimeSpan.FromSeconds(60), CancellationToken.None);
        output.WriteLine($"switchover {report.OldLeader} -> {report.Target}: leader after {report.ToNewLeader.TotalSeconds:0.00} s, all running after {report.ToAllRunning.TotalSeconds:0.00} s; Patroni: {report.PatroniReply}");

        Assert.True(report.Succeeded, report.PatroniReply);
        Assert.Equal(target, (await Cluster.ViewAsync()).Leader?.Name);
        var verify = await Cluster.VerifyAsync();
        Assert.True(verify.Passed, verify.Summary);
    }

    [Fact]
    public Task Manager_loss_fences_the_old_primary_before_any_other_node_accepts_writes_and_it_rejoins() =>
        ManagerFaultAsync(ProcFs.SigKill, "died");

    /// <summary>
    /// A Patroni that is stuck, not dead (SIGSTOP): it neither exits nor demotes, so only the supervisor's lease guard
    /// stands between its still writable PostgreSQL and a second primary once its lease ends (POSTGRES-NOTES 14).
    /// </summary>
    [Fact]
    public Task Stuck_manager_is_fenced_by_the_lease_guard_before_any_other_node_accepts_writes_and_it_rejoins() =>
        ManagerFaultAsync(SigStop, "froze");

    private const int SigStop = 19;

    private async Task ManagerFaultAsync(int signal, string what)
    {
        var view = await Cluster.WaitHealthyAsync();
        var oldLeader = view.Leader!.Name;
        var connections = new Dictionary<string, string>();
        foreach (var node in Cluster.Spec.Nodes)
        {
            connections[node.Name] = await Cluster.ConnectionStringAsync(node.Name);
        }

        using var disposeProbes = await NodeWriteProbes.StartAsync(connections, oldLeader, CancellationToken.None);
        await using var probes = disposeProbes;
        await TestCluster.EventuallyAsync(() => Task.FromResult(probes.LastOn(oldLeader) is not null), TimeSpan.FromSeconds(10), "the probe to write on the leader");

        var patroni = Cluster.PatroniPid(oldLeader);
        var killedAt = probes.Clock.Elapsed;
        ProcFs.Signal(patroni, signal);
        try
        {
            await AfterManagerFaultAsync(probes, oldLeader, killedAt, signal, what);
        }
        finally
        {
            // A frozen Patroni the guard did not kill must not hold up the teardown.
            ProcFs.Signal(patroni, SigCont);
        }
    }

    private const int SigCont = 18;

    private async Task AfterManagerFaultAsync(NodeWriteProbes probes, string oldLeader, TimeSpan killedAt, int signal, string what)
    {
        string? newLeader = null;
        await TestCluster.EventuallyAsync(async () =>
        {
            newLeader = Cluster.Spec.Nodes.Select(n => n.Name).FirstOrDefault(n => n != oldLeader && probes.FirstOnAfter(n, killedAt) is not null);
            return newLeader is not null && probes.FirstOnAfter(newLeader, killedAt) + TimeSpan.FromSeconds(1) < probes.Clock.Elapsed;
        }, TimeSpan.FromSeconds(40), "another node to accept writes");

        var lastOld = probes.LastOn(oldLeader)!.Value;
        var firstNew = probes.FirstOnAfter(newLeader!, killedAt)!.Value;
        output.WriteLine($"Patroni {what} on {oldLeader}: its last acknowledged write {(lastOld - killedAt).TotalMilliseconds:0} ms after the kill; " +
            $"first write on {newLeader} {(firstNew - killedAt).TotalSeconds:0.00} s after it; window {(lastOld - firstNew).TotalSeconds:0.00} s (negative: none)");
        Assert.True(lastOld < firstNew, $"split brain: {oldLeader} acknowledged a write at {lastOld} after {newLeader} did at {firstNew}");
        // A dead Patroni is seen at once (the exit fence); a stuck one within its lease (the guard), never later.
        var bound = signal == ProcFs.SigKill ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(Cluster.Spec.Failover.Patroni!.Timings.Ttl);
        Assert.True(lastOld - killedAt < bound, $"{oldLeader} kept accepting writes for {(lastOld - killedAt).TotalSeconds:0.00} s after its Patroni {what}");

        // Its supervisor restarts Patroni after the lease, and Patroni brings it back as a replica (pg_rewind).
        await TestCluster.EventuallyAsync(async () => (await Cluster.ViewAsync()).Member(oldLeader) is { IsLeader: false, State: "running", Lag: not null },
            TimeSpan.FromSeconds(60), $"{oldLeader} to rejoin as a replica");
        await probes.DisposeAsync();
        var verify = await Cluster.VerifyAsync();
        Assert.True(verify.Passed, verify.Summary);
        Assert.True(probes.LastOn(oldLeader) < firstNew, $"{oldLeader} accepted writes again after it rejoined");
    }

    [Fact]
    public async Task Node_loss_under_writes_loses_no_acknowledged_commit_in_sync_mode_and_the_node_rejoins()
    {
        var view = await Cluster.WaitHealthyAsync();
        var oldLeader = view.Leader!.Name;
        var credentials = await Cluster.CredentialsAsync();
        var hosts = string.Join(',', Cluster.Spec.Nodes.Select(n => $"127.0.0.1:{Cluster.Cluster.Addresses[n.Name].Port}"));
        await using var writer = new NpgsqlDataSourceBuilder($"Host={hosts};Username={credentials.Superuser};Password={credentials.SuperuserPassword};Database=postgres;Target Session Attributes=read-write;Timeout=1;Command Timeout=3;Pooling=false;Host Recheck Seconds=0").BuildMultiHost();
        await Cluster.QueryAsync<int>(oldLeader, "CREATE TABLE IF NOT EXISTS it_commits (id bigint PRIMARY KEY); SELECT 1");
        var acknowledged = new ConcurrentQueue<long>();
        var clock = Stopwatch.StartNew();
        TimeSpan? killedAt = null, firstAfter = null;
        using var stop = new CancellationTokenSource();
        var writes = Task.Run(async () =>
        {
            for (long id = 1; !stop.IsCancellationRequested; id++)
            {
                try
                {
                    await using var connection = await writer.OpenConnectionAsync(TargetSessionAttributes.ReadWrite, stop.Token);
                    await using var command = new NpgsqlCommand("INSERT INTO it_commits VALUES ($1) RETURNING inet_server_port()", connection) { Parameters = { new() { Value = id } } };
                    var port = (int)(await command.ExecuteScalarAsync(stop.Token))!;
                    acknowledged.Enqueue(id);
                    // An acknowledgement of the old primary still in flight at the kill is not a write on a new one.
                    if (killedAt is { } k && firstAfter is null && port != Cluster.Cluster.Addresses[oldLeader].Port)
                    {
                        firstAfter = clock.Elapsed - k;
                    }
                }
                catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
                {
                    await Task.Delay(20, CancellationToken.None);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        await TestCluster.EventuallyAsync(() => Task.FromResult(acknowledged.Count > 50), TimeSpan.FromSeconds(10), "writes before the loss");

        // A lost machine: its supervisor, Patroni and PostgreSQL all stop at once (frozen first, then killed).
        var supervisor = Cluster.SupervisorPid(oldLeader);
        var patroni = Cluster.PatroniPid(oldLeader);
        var postmaster = Cluster.PostmasterPid(oldLeader)!.Value;
        var group = ProcFs.Read(postmaster)!.ProcessGroup;
        foreach (var pid in new[] { supervisor, patroni, -group })
        {
            ProcFs.Signal(pid, 19);
        }

        killedAt = clock.Elapsed;
        foreach (var pid in new[] { supervisor, patroni, -group })
        {
            ProcFs.Signal(pid, ProcFs.SigKill);
        }

        await TestCluster.EventuallyAsync(() => Task.FromResult(firstAfter is not null && clock.Elapsed - killedAt > firstAfter + TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(40), "writes on a new primary");
        await stop.CancelAsync();
        await writes;
        var newLeader = (await Cluster.ViewAsync()).Leader!.Name;
        var ids = acknowledged.ToArray();
        var present = await Cluster.QueryAsync<long>(newLeader, $"SELECT count(*) FROM it_commits WHERE id = ANY('{{{string.Join(',', ids)}}}'::bigint[])");
        output.WriteLine($"node loss of {oldLeader}: {newLeader} accepted the first write {firstAfter!.Value.TotalSeconds:0.00} s after the kill; {ids.Length} acknowledged, {ids.Length - present} lost");
        Assert.NotEqual(oldLeader, newLeader);
        Assert.Equal(ids.Length, present);

        // The machine comes back: `up` starts its supervisor, and Patroni rejoins it (pg_rewind).
        await Cluster.UpAsync();
        var verify = await Cluster.VerifyAsync();
        Assert.True(verify.Passed, verify.Summary);
        Assert.Equal(newLeader, (await Cluster.ViewAsync()).Leader?.Name);
    }

    [Fact]
    public async Task A_changed_parameter_goes_through_patronis_dynamic_configuration_and_a_restart_waits_for_allow_restart()
    {
        await Cluster.WaitHealthyAsync();
        await Cluster.WriteStackAsync(PatroniTemplates.Sync("  pg-ha-infra:parameters:\n    work_mem: 8MB\n"));
        var plan = await PatroniEngine.PlanAsync(Cluster.Cluster, CancellationToken.None);
        Assert.Contains(plan, l => l.Contains("postgresql.parameters.work_mem", StringComparison.Ordinal));
        var up = await Cluster.UpAsync();
        Assert.Contains(up.Applied, c => c.Key == "postgresql.parameters.work_mem" && c.Wanted == "8MB");
        foreach (var node in Cluster.Spec.Nodes)
        {
            await TestCluster.EventuallyAsync(async () => await Cluster.QueryAsync<string>(node.Name, "SHOW work_mem") == "8MB", TimeSpan.FromSeconds(15), $"work_mem on {node.Name}");
        }

        // A postmaster setting: Patroni reports pending_restart, and up restarts only with --allow-restart.
        await Cluster.WriteStackAsync(PatroniTemplates.Sync("  pg-ha-infra:parameters:\n    work_mem: 8MB\n    max_connections: \"120\"\n"));
        var pending = await Cluster.UpAsync();
        Assert.NotEmpty(pending.PendingRestarts);
        Assert.Empty(pending.Restarted);
        Assert.Equal("100", await Cluster.QueryAsync<string>(Cluster.Spec.Nodes[0].Name, "SHOW max_connections"));
        var restarted = await Cluster.UpAsync(allowRestart: true);
        Assert.NotEmpty(restarted.Restarted);
        foreach (var node in Cluster.Spec.Nodes)
        {
            await TestCluster.EventuallyAsync(async () =>
            {
                try
                {
                    return await Cluster.QueryAsync<string>(node.Name, "SHOW max_connections") == "120";
                }
                catch (NpgsqlException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), $"max_connections on {node.Name}");
        }

        var verify = await Cluster.VerifyAsync();
        Assert.True(verify.Passed, verify.Summary);
    }
}

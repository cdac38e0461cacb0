using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Patroni;
using PgHaInfra.Rendering;
using PgHaInfra.Rendering.Patroni;
using PgHaInfra.Spec;

namespace PgHaInfra.Local.Patroni;

/// <summary>What `up` did in patroni mode: its steps, the leader, and the dynamic-configuration changes (applied or pending).</summary>
public sealed record PatroniUpResult(
    ImmutableArray<EngineStep> Steps,
    ClusterCredentials Credentials,
    string Leader,
    ImmutableArray<string> Started,
    ImmutableArray<DynamicChange> Applied,
    ImmutableArray<string> Restarted,
    ImmutableArray<string> PendingRestarts)
{
    public bool Changed => !Started.IsEmpty || !Applied.IsEmpty || !Restarted.IsEmpty;
}

/// <summary>
/// The local engine in failover.mode patroni: etcd, one supervised Patroni per node and HAProxy, all on loopback
/// and as the server user. Patroni makes and promotes the nodes; pgha renders its files from the spec, starts and
/// stops the processes, and changes settings through Patroni's dynamic configuration.
/// </summary>
public static class PatroniEngine
{
    public const string Host = "127.0.0.1";
    public const string SupervisorVerb = "patroni-node";
    public static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(90);

    public static PatroniLayout LayoutOf(LocalCluster cluster) => new(cluster.Layout);

    public static async Task<PatroniUpResult> UpAsync(LocalCluster cluster, bool allowRestart, IEngineProgress progress, CancellationToken cancellationToken)
    {
        var spec = cluster.StackSpec;
        var patroni = spec.Failover.Patroni!;
        var steps = new LocalEngine.Steps(progress);
        var layout = LayoutOf(cluster);
        var user = cluster.User;
        cluster.EnsureRoot();
        foreach (var dir in new[] { cluster.Layout.DataRoot, cluster.Layout.SocketDirectory, cluster.Layout.LogDirectory, cluster.Layout.SecretsDirectory, layout.ConfigDirectory, layout.HaproxyDirectory, layout.EtcdRoot })
        {
            user.CreateDirectory(dir);
        }

        var credentials = await LocalSecrets.EnsureAsync(spec, cluster.Layout, user, cancellationToken).ConfigureAwait(false);
        var binaries = await cluster.BinariesAsync(cancellationToken).ConfigureAwait(false);
        var placement = layout.Placement(spec, binaries.Directory);
        var reload = new List<string>();
        foreach (var node in spec.Nodes)
        {
            if (await WriteIfChangedAsync(user, layout.ConfigFile(node.Name), PatroniConfig.Render(spec, placement, node), cancellationToken).ConfigureAwait(false)
                && Daemon.Running(layout.PidFile(PatroniLayout.SupervisorName(node.Name)), PghaProgramName) is not null)
            {
                reload.Add(node.Name);
            }
        }

        var started = ImmutableArray.CreateBuilder<string>();
        for (var member = 0; member < patroni.Dcs.Members; member++)
        {
            var name = DcsSpec.MemberName(member);
            if (Daemon.Running(layout.PidFile(name), EtcdCommand.Program) is null)
            {
                var m = member;
                await steps.TimeAsync(name, "start etcd", () =>
                {
                    user.CreateDirectory(layout.EtcdDataDirectory(m));
                    Daemon.Start(user, EtcdCommand.Program, EtcdCommand.Arguments(spec, Host, m, layout.EtcdDataDirectory(m)),
                        Daemon.BaseEnvironment(cluster.Layout.Root), layout.LogFile(name), layout.PidFile(name));
                    return Task.CompletedTask;
                }, $"client port {patroni.Dcs.ClientPortOf(m)}").ConfigureAwait(false);
                started.Add(name);
            }
        }

        await steps.TimeAsync("etcd", "wait for a healthy etcd", () => WaitForEtcdAsync(patroni.Dcs, cancellationToken)).ConfigureAwait(false);

        using var client = new PatroniClient(spec, Host);
        var fresh = !spec.Nodes.Any(n => File.Exists(Path.Combine(cluster.Layout.DataDirectory(n.Name), "PG_VERSION")));
        var missing = spec.Nodes.Where(n => Daemon.Running(layout.PidFile(PatroniLayout.SupervisorName(n.Name)), PghaProgramName) is null).ToList();
        if (fresh && missing.Any(n => n.Name == spec.Primary))
        {
            // The stack's primary bootstraps alone, so it wins the initialize race and the stack's primary is the leader.
            await steps.TimeAsync(spec.Primary, "start Patroni (bootstrap)", () => StartSupervisorAsync(cluster, layout, spec.Primary), "initdb by Patroni").ConfigureAwait(false);
            started.Add(spec.Primary);
            await steps.TimeAsync(spec.Primary, "wait for the leader", () => WaitForLeaderAsync(client, spec.Primary, cancellationToken)).ConfigureAwait(false);
            missing.RemoveAll(n => n.Name == spec.Primary);
        }

        await Task.WhenAll(missing.Select(n => steps.TimeAsync(n.Name, "start Patroni", () => StartSupervisorAsync(cluster, layout, n.Name)))).ConfigureAwait(false);
        started.AddRange(missing.Select(n => n.Name));

        PatroniCluster view = null!;
        await steps.TimeAsync("cluster", "wait for every member to run and stream", async () => view = await WaitForMembersAsync(client, spec, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        var leader = view.Leader!.Name;
        if (cluster.State?.Primary != leader)
        {
            await cluster.RecordPrimaryAsync(leader, $"Patroni's leader ({(fresh ? "bootstrapped by up" : "as Patroni reports it")})", cancellationToken).ConfigureAwait(false);
        }

        var access = await cluster.RequireAccessAsync(cancellationToken).ConfigureAwait(false);
        await steps.TimeAsync(leader, "canary table", () => CreateCanaryTableAsync(access.DataSource(leader), cancellationToken)).ConfigureAwait(false);

        foreach (var node in reload)
        {
            // A running Patroni reads its patroni.yml again on POST /reload (tags, node-local parameters, pg_hba).
            await steps.TimeAsync(node, "reload patroni.yml (changed)", async () =>
            {
                var reply = await client.SendAsync(HttpMethod.Post, node, "/reload", null, cancellationToken).ConfigureAwait(false);
                if (!reply.Succeeded)
                {
                    throw new LocalEngineException($"Patroni on {node} did not reload its changed patroni.yml ({reply.Status}): {reply.Text}");
                }
            }).ConfigureAwait(false);
            started.Add($"{node} (reloaded)");
        }

        var applied = ImmutableArray<DynamicChange>.Empty;
        var current = await client.ConfigAsync(cancellationToken).ConfigureAwait(false) ?? throw new LocalEngineException("Patroni's GET /config did not answer");
        var changes = DynamicConfiguration.Diff(spec, placement.Postgres, current);
        if (!changes.IsEmpty)
        {
            await steps.TimeAsync("cluster", "PATCH /config", async () =>
            {
                var reply = await client.PatchConfigAsync(leader, DynamicConfiguration.Patch(changes), cancellationToken).ConfigureAwait(false);
                if (!reply.Succeeded)
                {
                    throw new LocalEngineException($"Patroni refused the configuration change ({reply.Status}): {reply.Text}");
                }
            }, string.Join("; ", changes.Select(c => c.Reason))).ConfigureAwait(false);
            applied = changes;
        }

        var pending = await PendingRestartsAsync(client, spec, applied.IsEmpty ? TimeSpan.Zero : TimeSpan.FromSeconds(patroni.Timings.LoopWait * 3 + 2), cancellationToken).ConfigureAwait(false);
        var restarted = ImmutableArray.CreateBuilder<string>();
        if (allowRestart)
        {
            // Replicas first, the leader last: the cluster keeps a primary until the end.
            foreach (var node in pending.OrderBy(n => n == leader))
            {
                await steps.TimeAsync(node, "restart (pending_restart)", async () =>
                {
                    var reply = await client.RestartAsync(node, cancellationToken).ConfigureAwait(false);
                    if (!reply.Succeeded)
                    {
                        throw new LocalEngineException($"Patroni did not restart {node} ({reply.Status}): {reply.Text}");
                    }
                }).ConfigureAwait(false);
                restarted.Add(node);
            }

            if (restarted.Count > 0)
            {
                await WaitForMembersAsync(client, spec, cancellationToken).ConfigureAwait(false);
            }
        }

        if (patroni.Haproxy is { } haproxy)
        {
            var changed = await WriteIfChangedAsync(user, layout.HaproxyConfigFile, HaproxyConfig.Render(spec, placement), cancellationToken).ConfigureAwait(false);
            var running = Daemon.Running(layout.PidFile(PatroniLayout.HaproxyName), Haproxy);
            if (running is null || changed)
            {
                await steps.TimeAsync(PatroniLayout.HaproxyName, running is null ? "start HAProxy" : "restart HAProxy (configuration changed)", async () =>
                {
                    if (running is { } pid)
                    {
                        await Daemon.StopAsync(pid, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                    }

                    Daemon.Start(user, Haproxy, ["-f", layout.HaproxyConfigFile, "-db"], Daemon.BaseEnvironment(cluster.Layout.Root),
                        layout.LogFile(PatroniLayout.HaproxyName), layout.PidFile(PatroniLayout.HaproxyName));
                    await WaitForPortAsync(haproxy.WritePort, cancellationToken).ConfigureAwait(false);
                    await WaitForPortAsync(haproxy.ReadPort, cancellationToken).ConfigureAwait(false);
                }, $"write {Host}:{haproxy.WritePort}, read {Host}:{haproxy.ReadPort}").ConfigureAwait(false);
                started.Add(PatroniLayout.HaproxyName);
            }
        }

        await cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return new PatroniUpResult(steps.All, credentials, leader, started.ToImmutable(), applied, restarted.ToImmutable(), [.. pending.Except(restarted)]);
    }

    /// <summary>What `plan` shows in patroni mode: processes to start and dynamic-configuration changes, changing nothing.</summary>
    public static async Task<ImmutableArray<string>> PlanAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        var spec = cluster.StackSpec;
        var layout = LayoutOf(cluster);
        var lines = ImmutableArray.CreateBuilder<string>();
        for (var member = 0; member < spec.Failover.Patroni!.Dcs.Members; member++)
        {
            if (Daemon.Running(layout.PidFile(DcsSpec.MemberName(member)), EtcdCommand.Program) is null)
            {
                lines.Add($"{DcsSpec.MemberName(member)}: start etcd (not running)");
            }
        }

        foreach (var node in spec.Nodes.Where(n => Daemon.Running(layout.PidFile(n.Name), PghaProgramName) is null))
        {
            lines.Add($"{node.Name}: start its supervisor and Patroni (not running)");
        }

        using var client = new PatroniClient(spec, Host);
        if (await client.ConfigAsync(cancellationToken).ConfigureAwait(false) is { } current)
        {
            var placement = layout.Placement(spec, "");
            lines.AddRange(DynamicConfiguration.Diff(spec, placement.Postgres, current).Select(c => $"cluster: PATCH /config {c.Reason}"));
            foreach (var node in await PendingRestartsAsync(client, spec, TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
            {
                lines.Add($"{node}: restart pending (Patroni reports pending_restart); `up --allow-restart` restarts it");
            }
        }

        return lines.ToImmutable();
    }

    /// <summary>Stops HAProxy, every supervisor (replicas first: the leader keeps the key until last) and etcd; fences leftovers; removes the state unless kept.</summary>
    public static async Task<ImmutableArray<EngineStep>> DownAsync(LocalCluster cluster, bool keepData, IEngineProgress progress, CancellationToken cancellationToken)
    {
        var spec = cluster.StackSpec;
        var steps = new LocalEngine.Steps(progress);
        var layout = LayoutOf(cluster);
        async Task StopAsync(string name, string program, TimeSpan grace)
        {
            if (Daemon.Running(layout.PidFile(name), program) is { } pid)
            {
                await steps.TimeAsync(name, $"stop {program}", () => Daemon.StopAsync(pid, grace, cancellationToken)).ConfigureAwait(false);
            }
        }

        await StopAsync(PatroniLayout.HaproxyName, Haproxy, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        var leader = cluster.State?.Primary ?? spec.Primary;
        await Task.WhenAll(spec.Nodes.Where(n => n.Name != leader).Select(n => StopAsync(n.Name, PghaProgramName, TimeSpan.FromSeconds(40)))).ConfigureAwait(false);
        await StopAsync(leader, PghaProgramName, TimeSpan.FromSeconds(40)).ConfigureAwait(false);
        foreach (var node in spec.Nodes)
        {
            if (PostgresFence.FindPostmasters(cluster.Layout.DataDirectory(node.Name)).Any())
            {
                var fence = PostgresFence.Kill(cluster.Layout.DataDirectory(node.Name), "down found PostgreSQL running without its supervisor");
                progress.Report(new EngineStep(node.Name, "fence", fence.Elapsed, fence.Reason));
            }
        }

        for (var member = 0; member < (spec.Failover.Patroni?.Dcs.Members ?? 0); member++)
        {
            await StopAsync(DcsSpec.MemberName(member), EtcdCommand.Program, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        if (!keepData && Directory.Exists(cluster.Layout.Root))
        {
            await steps.TimeAsync("cluster", $"remove {cluster.Layout.Root}", () =>
            {
                Directory.Delete(cluster.Layout.Root, recursive: true);
                return Task.CompletedTask;
            }).ConfigureAwait(false);
        }

        return steps.All;
    }

    public const string Haproxy = "haproxy";

    /// <summary>What a supervisor's command line contains, to tell it from an unrelated process with a reused pid.</summary>
    public const string PghaProgramName = SupervisorVerb;

    private static Task StartSupervisorAsync(LocalCluster cluster, PatroniLayout layout, string node)
    {
        var (program, prefix) = PghaExecutable.Locate();
        var patroni = cluster.StackSpec.Failover.Patroni!;
        var environment = new Dictionary<string, string>(Daemon.BaseEnvironment(cluster.Layout.Root), StringComparer.Ordinal);
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnetRoot)
        {
            environment["DOTNET_ROOT"] = dotnetRoot;
        }

        // The supervisor runs as pgha's own user (root may signal the server user's processes); Patroni under it as the server user.
        Daemon.Start(new ServerUser(null, 0, 0), program,
            [.. prefix, SupervisorVerb, "--state-dir", cluster.Layout.Root, "--node", node,
                "--restart-after", (patroni.Timings.Ttl + patroni.Timings.LoopWait).ToString(CultureInfo.InvariantCulture),
                "--etcd", string.Join(',', Enumerable.Range(0, patroni.Dcs.Members).Select(m => $"http://{Host}:{patroni.Dcs.ClientPortOf(m).ToString(CultureInfo.InvariantCulture)}/")),
                "--leader-key", PatroniPlacement.LeaderKey(cluster.StackSpec.Name)],
            environment, layout.LogFile(PatroniLayout.SupervisorName(node)), layout.PidFile(PatroniLayout.SupervisorName(node)));
        return Task.CompletedTask;
    }

    private static async Task<bool> WriteIfChangedAsync(ServerUser user, string path, string content, CancellationToken cancellationToken)
    {
        if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) == content)
        {
            return false;
        }

        await user.WriteFileAsync(path, content, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task WaitForEtcdAsync(DcsSpec dcs, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        await PollAsync($"etcd on {Host}:{dcs.ClientPort} to report health", async () =>
        {
            try
            {
                var text = await http.GetStringAsync(new Uri($"http://{Host}:{dcs.ClientPort}/health"), cancellationToken).ConfigureAwait(false);
                return text.Contains("\"health\":\"true\"", StringComparison.Ordinal);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }

    private static Task WaitForLeaderAsync(PatroniClient client, string node, CancellationToken cancellationToken) =>
        PollAsync($"{node} to become Patroni's leader", async () =>
            (await client.ClusterAsync(cancellationToken).ConfigureAwait(false))?.Leader is { Name: var name, State: "running" } && name == node,
            ReadyDeadline, cancellationToken);

    /// <summary>Every member running, one leader, and every replica with a known lag (it streams or has replayed from the leader).</summary>
    public static async Task<PatroniCluster> WaitForMembersAsync(PatroniClient client, ClusterSpec spec, CancellationToken cancellationToken)
    {
        PatroniCluster? last = null;
        await PollAsync("every Patroni member to run, with one leader and streaming replicas", async () =>
        {
            last = await client.ClusterAsync(cancellationToken).ConfigureAwait(false);
            return last is { Leader: { State: "running" } } view && spec.Nodes.All(n => view.Member(n.Name) is { State: "running" or "streaming" } m && (m.IsLeader || m.Lag is not null))
                && (!(spec.Failover.Patroni?.SynchronousMode ?? false) || view.Members.Any(m => m.IsSynchronous));
        }, ReadyDeadline, cancellationToken, () => last is null ? "no member answered" : string.Join(", ", last.Members.Select(m => $"{m.Name} {m.Role} {m.State}"))).ConfigureAwait(false);
        return last!;
    }

    private static async Task<ImmutableArray<string>> PendingRestartsAsync(PatroniClient client, ClusterSpec spec, TimeSpan settle, CancellationToken cancellationToken)
    {
        // Members notice a changed configuration on their next HA loop; give them a few loops to report pending_restart.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var pending = new List<string>();
            foreach (var node in spec.Nodes)
            {
                if (await client.StatusAsync(node.Name, cancellationToken).ConfigureAwait(false) is { } status && status["pending_restart"] is System.Text.Json.Nodes.JsonValue flag && flag.GetValue<bool>())
                {
                    pending.Add(node.Name);
                }
            }

            if (pending.Count > 0 || clock.Elapsed >= settle)
            {
                return [.. pending];
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task CreateCanaryTableAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await PollAsync("the leader to accept the canary table", async () =>
        {
            try
            {
                await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = connection.CreateCommand();
                command.CommandText = BootstrapSql.SessionSettings + string.Concat(BootstrapSql.CanaryTable.Select(s => s + ";\n"));
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }

    private static Task WaitForPortAsync(int port, CancellationToken cancellationToken) =>
        PollAsync($"something to listen on {Host}:{port}", async () =>
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(Host, port, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10), cancellationToken);

    internal static async Task PollAsync(string what, Func<Task<bool>> condition, TimeSpan deadline, CancellationToken cancellationToken, Func<string>? last = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (clock.Elapsed > deadline)
            {
                throw new LocalEngineException($"waited {deadline.TotalSeconds:0} s for {what}{(last is null ? "" : $"; last seen: {last()}")}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }
}

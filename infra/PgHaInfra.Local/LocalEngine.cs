using System.Collections.Immutable;
using System.Diagnostics;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Rendering;
using PgHaInfra.Security;
using PgHaInfra.Spec;

namespace PgHaInfra.Local;

/// <summary>What `up` did: the plan it followed and each step it took, with timings.</summary>
public sealed record UpResult(LocalPlan Plan, ImmutableArray<EngineStep> Steps, ClusterCredentials Credentials)
{
    /// <summary>False when the cluster already matched the stack and nothing was touched.</summary>
    public bool Changed => Plan.Actions.Any(a => a is not RestartNode { Allowed: false });
}

/// <summary>
/// The local engine's verbs. `up` observes, plans (<see cref="ConvergencePlanner"/>) and carries the plan out:
/// the primary first, then each replica as soon as its upstream is ready, siblings in parallel.
/// </summary>
public static class LocalEngine
{
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Observes the cluster and plans, changing nothing: what `pgha plan` shows.</summary>
    public static async Task<LocalPlan> PlanAsync(LocalCluster cluster, bool allowRestart, CancellationToken cancellationToken)
    {
        var access = await cluster.AccessAsync(cancellationToken).ConfigureAwait(false);
        var observed = await ClusterObserver.ObserveAsync(cluster.Spec, cluster.Layout, cluster.State, access, cancellationToken).ConfigureAwait(false);
        return ConvergencePlanner.Plan(cluster.Spec, cluster.Placement, observed, allowRestart);
    }

    public static Task<UpResult> UpAsync(LocalCluster cluster, bool allowRestart, IEngineProgress progress, CancellationToken cancellationToken) =>
        UpAsync(cluster, allowRestart, progress, whenCopied: null, cancellationToken);

    /// <param name="whenCopied">
    /// Started once every other node's work is done and each replica made in this run holds its base backup, so only
    /// replica starts remain: `pgha up` writes the check's canary then, while the replicas start. Awaited before return.
    /// </param>
    public static async Task<UpResult> UpAsync(
        LocalCluster cluster, bool allowRestart, IEngineProgress progress, Func<CancellationToken, Task>? whenCopied, CancellationToken cancellationToken)
    {
        var spec = cluster.Spec;
        var steps = new Steps(progress);
        var binariesTask = cluster.BinariesAsync(cancellationToken);
        PrepareDirectories(cluster);
        // archive_command names these files, so they exist before any server starts.
        await Backup.StanzaSetup.InstallAsync(cluster, cancellationToken).ConfigureAwait(false);
        var credentials = await LocalSecrets.EnsureAsync(spec, cluster.Layout, cluster.User, cancellationToken).ConfigureAwait(false);
        var access = await cluster.AccessAsync(cancellationToken).ConfigureAwait(false) ?? throw new LocalEngineException("credentials vanished");
        var observed = await ClusterObserver.ObserveAsync(spec, cluster.Layout, cluster.State, access, cancellationToken).ConfigureAwait(false);
        var plan = ConvergencePlanner.Plan(spec, cluster.Placement, observed, allowRestart);
        if (!plan.Problems.IsEmpty)
        {
            throw new LocalEngineException($"up refused to act on stack {spec.Stack}:\n  " + string.Join("\n  ", plan.Problems));
        }

        // While initdb runs (half a second of mostly I/O), get Npgsql's connection path compiled: the first real
        // connection (role and slots) then costs a round trip instead of a JIT pass.
        var warmUp = plan.Actions.OfType<CreateNode>().Any(c => c.Upstream is null) ? WarmUpAsync(access, spec.Primary) : Task.CompletedTask;
        var binaries = await binariesTask.ConfigureAwait(false);

        var copies = plan.Actions.OfType<CreateNode>().Where(c => c.Upstream is not null)
            .ToDictionary(c => c.Node, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
        var context = new Execution(cluster, binaries, access, steps, plan, copies);
        foreach (var remove in plan.Actions.OfType<RemoveNode>())
        {
            await context.RemoveAsync(remove, cancellationToken).ConfigureAwait(false);
        }

        // Recorded beside the node work, not before it: the store serialises the writes, and initdb need not wait.
        var recordVersions = Task.Run(() => cluster.Store.UpdateAsync(spec.Stack, spec.Name, s => s with
        {
            PostgresMajor = binaries.MajorVersion,
            PostgresVersion = binaries.VersionText,
            PghaVersion = typeof(LocalEngine).Assembly.GetName().Version?.ToString(),
        }, cancellationToken), cancellationToken);
        var tasks = new Dictionary<string, Task>(StringComparer.Ordinal);
        foreach (var node in spec.InCreationOrder())
        {
            var upstream = spec.UpstreamOf(node);
            var after = upstream is null ? Task.CompletedTask : tasks[upstream.Name];
            tasks[node.Name] = context.ConvergeNodeAsync(node, after, cancellationToken);
        }

        var copied = Task.WhenAll([.. tasks.Where(t => !copies.ContainsKey(t.Key)).Select(t => t.Value), .. copies.Values.Select(c => c.Task)]);
        var afterCopies = whenCopied is null ? Task.CompletedTask : ThenAsync(copied, whenCopied, cancellationToken);
        await Task.WhenAll([.. tasks.Values, recordVersions]).ConfigureAwait(false);
        await afterCopies.ConfigureAwait(false);
        await warmUp.ConfigureAwait(false);
        foreach (var drop in plan.Actions.OfType<DropSlot>())
        {
            await steps.TimeAsync(drop.Node, $"drop slot {drop.Slot}",
                () => SlotSql.DropAsync(access.DataSource(drop.Node), drop.Slot, TimeSpan.FromSeconds(10), cancellationToken)).ConfigureAwait(false);
        }

        if (spec.Backup is not null && !Backup.StanzaSetup.StanzaExists(spec))
        {
            await steps.TimeAsync(spec.Primary, "backup stanza", () => Backup.StanzaSetup.EnsureStanzaAsync(cluster, cancellationToken), $"pgBackRest stanza {spec.Stanza}").ConfigureAwait(false);
        }

        await cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return new UpResult(plan, steps.All, credentials);
    }

    private static async Task ThenAsync(Task first, Func<CancellationToken, Task> then, CancellationToken cancellationToken)
    {
        await first.ConfigureAwait(false);
        await then(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One connection attempt to a port nothing listens on yet, on a throwaway data source; it fails, by design.</summary>
    private static Task WarmUpAsync(ClusterAccess access, string node) => Task.Run(async () =>
    {
        try
        {
            await using var source = new Npgsql.NpgsqlDataSourceBuilder(access.ConnectionString(node)) { ConnectionStringBuilder = { Timeout = 1 } }.Build();
            await using var connection = await source.OpenConnectionAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Expected: the server is not up yet.
        }
    });

    /// <summary>Stops every server of the stack (and any leftover pg_basebackup), then deletes the state unless <paramref name="keepData"/>.</summary>
    public static async Task<ImmutableArray<EngineStep>> DownAsync(LocalCluster cluster, bool keepData, IEngineProgress progress, CancellationToken cancellationToken)
    {
        var steps = new Steps(progress);
        var layout = cluster.Layout;
        if (Directory.Exists(layout.DataRoot))
        {
            var dataDirectories = Directory.EnumerateDirectories(layout.DataRoot).ToList();
            foreach (var dir in dataDirectories)
            {
                JoinAsReplica.KillLeftoverBackups(dir);
            }

            if (dataDirectories.Any(PostmasterPidFile.IsRunning))
            {
                var binaries = await cluster.BinariesAsync(cancellationToken).ConfigureAwait(false);
                if (await cluster.AccessAsync(cancellationToken).ConfigureAwait(false) is { } access)
                {
                    await access.DisposeAsync().ConfigureAwait(false);
                }

                await Task.WhenAll(dataDirectories.Where(PostmasterPidFile.IsRunning).Select(dir =>
                    steps.TimeAsync(Path.GetFileName(dir), "stop (fast)", () => StopAsync(cluster, binaries, dir, cancellationToken)))).ConfigureAwait(false);
            }
        }

        if (!keepData && Directory.Exists(layout.Root))
        {
            await steps.TimeAsync("cluster", $"remove {layout.Root}", () =>
            {
                Directory.Delete(layout.Root, recursive: true);
                return Task.CompletedTask;
            }).ConfigureAwait(false);
        }

        return steps.All;
    }

    /// <summary>A fast stop, and an immediate one when the fast stop does not finish in time.</summary>
    internal static async Task StopAsync(LocalCluster cluster, PostgresBinaries binaries, string dataDirectory, CancellationToken cancellationToken)
    {
        try
        {
            await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopMode.Fast, TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        }
        catch (LocalEngineException)
        {
            await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopMode.Immediate, StopDeadline, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void PrepareDirectories(LocalCluster cluster)
    {
        var layout = cluster.Layout;
        var user = cluster.User;
        cluster.EnsureRoot();
        user.CreateDirectory(layout.DataRoot);
        user.CreateDirectory(layout.SocketDirectory);
        user.CreateDirectory(layout.LogDirectory);
        user.CreateDirectory(layout.SecretsDirectory);
    }

    /// <summary>Collects steps with their timings and reports them as they happen.</summary>
    internal sealed class Steps(IEngineProgress progress)
    {
        private readonly List<EngineStep> all = [];

        public ImmutableArray<EngineStep> All
        {
            get
            {
                lock (all)
                {
                    return [.. all];
                }
            }
        }

        public async Task TimeAsync(string node, string step, Func<Task> work, string? detail = null)
        {
            progress.Report(new EngineStep(node, step, null, detail));
            var clock = Stopwatch.StartNew();
            await work().ConfigureAwait(false);
            var done = new EngineStep(node, step, clock.Elapsed, detail);
            lock (all)
            {
                all.Add(done);
            }

            progress.Report(done);
        }
    }

    /// <summary>One run of a plan: the per-node work, each node after its upstream.</summary>
    /// <param name="copies">For each replica made in this run: done once it holds its base backup (failed if its work failed).</param>
    private sealed class Execution(LocalCluster cluster, PostgresBinaries binaries, ClusterAccess access, Steps steps, LocalPlan plan,
        IReadOnlyDictionary<string, TaskCompletionSource> copies)
    {
        private ClusterSpec Spec => cluster.Spec;

        private StateLayout Layout => cluster.Layout;

        public async Task ConvergeNodeAsync(NodeSpec node, Task upstreamReady, CancellationToken cancellationToken)
        {
            copies.TryGetValue(node.Name, out var copy);
            try
            {
                await ConvergeAsync(node, upstreamReady, cancellationToken).ConfigureAwait(false);
                copy?.TrySetResult();
            }
            catch (Exception e)
            {
                // What waits for this replica's copy must not wait forever.
                copy?.TrySetException(e);
                throw;
            }
        }

        private async Task ConvergeAsync(NodeSpec node, Task upstreamReady, CancellationToken cancellationToken)
        {
            await upstreamReady.ConfigureAwait(false);
            var files = NodeFiles.Render(Spec, cluster.Placement, node, ScramVerifier.Compute(access.Credentials.ReplicationPassword));
            var dataDirectory = Layout.DataDirectory(node.Name);
            var started = false;
            foreach (var action in plan.For(node.Name))
            {
                switch (action)
                {
                    case CreateNode create:
                        await CreateAsync(create, node, files, cancellationToken).ConfigureAwait(false);
                        started = true;
                        break;
                    case StartNode when Failover.Fence.IsFenced(dataDirectory) && Spec.UpstreamOf(node) is { } fencedUpstream:
                        // Fenced by a failover: it may have diverged, so it comes back through a rejoin (pg_rewind), never a plain start.
                        await steps.TimeAsync(node.Name, "rejoin (fenced)", async () =>
                        {
                            await Slots.EnsureAsync(access.DataSource(fencedUpstream.Name), node.SlotName, cancellationToken).ConfigureAwait(false);
                            await Failover.Rewind.RejoinAsync(cluster, binaries, access.DataSource(fencedUpstream.Name), Spec, node, cancellationToken).ConfigureAwait(false);
                        }, $"as a replica of {fencedUpstream.Name}").ConfigureAwait(false);
                        started = true;
                        break;
                    case StartNode:
                        await steps.TimeAsync(node.Name, "install files", () => ConfigInstaller.InstallAsync(dataDirectory, files, cluster.User, cancellationToken)).ConfigureAwait(false);
                        await steps.TimeAsync(node.Name, "start", () => StartStop.StartAsync(binaries, cluster.Runner, dataDirectory, Layout.LogFile(node.Name), StartDeadline, cancellationToken)).ConfigureAwait(false);
                        started = true;
                        break;
                    case ReloadNode reload:
                        await steps.TimeAsync(node.Name, "install files", () => ConfigInstaller.InstallAsync(dataDirectory, files, cluster.User, cancellationToken)).ConfigureAwait(false);
                        await steps.TimeAsync(node.Name, "reload", () => StartStop.ReloadAsync(binaries, cluster.Runner, dataDirectory, cancellationToken), string.Join(", ", reload.Changes.Select(c => c.Name))).ConfigureAwait(false);
                        break;
                    case RestartNode restart:
                        await steps.TimeAsync(node.Name, "install files", () => ConfigInstaller.InstallAsync(dataDirectory, files, cluster.User, cancellationToken)).ConfigureAwait(false);
                        if (restart.Allowed)
                        {
                            await steps.TimeAsync(node.Name, "restart", async () =>
                            {
                                await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopMode.Fast, StopDeadline, cancellationToken).ConfigureAwait(false);
                                access.DataSource(node.Name).Clear();
                                await StartStop.StartAsync(binaries, cluster.Runner, dataDirectory, Layout.LogFile(node.Name), StartDeadline, cancellationToken).ConfigureAwait(false);
                            }, restart.Reason).ConfigureAwait(false);
                        }
                        else
                        {
                            // Reloadable changes still apply; the rest stays pending (pg_settings.pending_restart) and is reported.
                            await steps.TimeAsync(node.Name, "reload (restart pending)", () => StartStop.ReloadAsync(binaries, cluster.Runner, dataDirectory, cancellationToken), restart.Reason).ConfigureAwait(false);
                        }

                        break;
                    case CreateSlot slot:
                        await steps.TimeAsync(node.Name, $"create slot {slot.Slot}", () => Slots.EnsureAsync(access.DataSource(node.Name), slot.Slot, cancellationToken)).ConfigureAwait(false);
                        break;
                }
            }

            // A node just made or started creates the slots of its downstreams (idempotent) before they copy from it.
            if (started && Spec.DownstreamsOf(node).Any() && plan.For(node.Name).All(a => a is not CreateNode { Upstream: null }))
            {
                await steps.TimeAsync(node.Name, "slots", () => SlotSql.RunBootstrapAsync(access.DataSource(node.Name), files with { Files = [new RenderedFile(NodeFiles.BootstrapSql, BootstrapSql.SessionSettings + BootstrapSql.Slots(Spec, node))] }, cancellationToken)).ConfigureAwait(false);
            }
        }

        private async Task CreateAsync(CreateNode create, NodeSpec node, NodeFiles files, CancellationToken cancellationToken)
        {
            var dataDirectory = Layout.DataDirectory(node.Name);
            if (create.Rebuild || Directory.Exists(dataDirectory))
            {
                await steps.TimeAsync(node.Name, "remove half-made data directory", async () =>
                {
                    JoinAsReplica.KillLeftoverBackups(dataDirectory);
                    if (PostmasterPidFile.IsRunning(dataDirectory))
                    {
                        await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopMode.Immediate, StopDeadline, cancellationToken).ConfigureAwait(false);
                    }

                    await cluster.Store.UpdateAsync(Spec.Stack, Spec.Name, s => s.WithoutNode(node.Name), cancellationToken).ConfigureAwait(false);
                    DeleteDirectory(dataDirectory);
                }, create.Reason).ConfigureAwait(false);
            }

            if (create.Upstream is null)
            {
                await steps.TimeAsync(node.Name, "initdb", () => Initdb.RunAsync(binaries, cluster.Runner, dataDirectory, Spec.Replication.Superuser, Layout.SuperuserPasswordFile, cancellationToken)).ConfigureAwait(false);
                await ConfigInstaller.InstallAsync(dataDirectory, files, cluster.User, cancellationToken).ConfigureAwait(false);
                await steps.TimeAsync(node.Name, "start", () => StartStop.StartAsync(binaries, cluster.Runner, dataDirectory, Layout.LogFile(node.Name), StartDeadline, cancellationToken)).ConfigureAwait(false);
                access.DataSource(node.Name).Clear();
                await steps.TimeAsync(node.Name, "role + slots", () => SlotSql.RunBootstrapAsync(access.DataSource(node.Name), files, cancellationToken)).ConfigureAwait(false);
                await cluster.Store.UpdateAsync(Spec.Stack, Spec.Name, s => s
                    .WithNode(new NodeRecord(node.Name, node.Port, "primary", null, DateTimeOffset.UtcNow))
                    .WithPrimary(node.Name, $"created as the primary by up ({create.Reason})"), cancellationToken).ConfigureAwait(false);
                return;
            }

            var upstream = Spec.Node(create.Upstream);
            await steps.TimeAsync(node.Name, "pg_basebackup", async () =>
            {
                // The slot first, WAL reserved (idempotent: it makes a rebuilt replica safe against a dropped slot),
                // unless the upstream was made or started in this run: its bootstrap made every downstream slot, and
                // this node runs only after that upstream's work is done.
                if (!plan.For(upstream.Name).Any(a => a is CreateNode or StartNode))
                {
                    await Slots.EnsureAsync(access.DataSource(upstream.Name), node.SlotName, cancellationToken).ConfigureAwait(false);
                }

                await JoinAsReplica.BaseBackupAsync(binaries, cluster.Runner, Layout, cluster.Placement.AddressOf(upstream), Spec.Replication.User, node.Name, node.SlotName, cancellationToken).ConfigureAwait(false);
            }, $"from {upstream.Name} through slot {node.SlotName}").ConfigureAwait(false);
            copies[node.Name].TrySetResult();
            await ConfigInstaller.InstallAsync(dataDirectory, files, cluster.User, cancellationToken).ConfigureAwait(false);
            await steps.TimeAsync(node.Name, "start", () => StartStop.StartAsync(binaries, cluster.Runner, dataDirectory, Layout.LogFile(node.Name), StartDeadline, cancellationToken)).ConfigureAwait(false);
            access.DataSource(node.Name).Clear();
            await cluster.Store.UpdateAsync(Spec.Stack, Spec.Name, s => s
                .WithNode(new NodeRecord(node.Name, node.Port, "replica", upstream.Name, DateTimeOffset.UtcNow)), cancellationToken).ConfigureAwait(false);
        }

        public async Task RemoveAsync(RemoveNode remove, CancellationToken cancellationToken)
        {
            var dataDirectory = Layout.DataDirectory(remove.Node);
            await steps.TimeAsync(remove.Node, "remove", async () =>
            {
                JoinAsReplica.KillLeftoverBackups(dataDirectory);
                if (PostmasterPidFile.IsRunning(dataDirectory))
                {
                    await StopAsync(cluster, binaries, dataDirectory, cancellationToken).ConfigureAwait(false);
                }

                DeleteDirectory(dataDirectory);
                File.Delete(Layout.LogFile(remove.Node));
                await cluster.Store.UpdateAsync(Spec.Stack, Spec.Name, s => s.WithoutNode(remove.Node), cancellationToken).ConfigureAwait(false);
            }, remove.Reason).ConfigureAwait(false);
        }

        private static void DeleteDirectory(string path)
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }
}

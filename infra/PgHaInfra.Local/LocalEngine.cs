using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Diagnostics;
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

    /// <summary>How long a restarted replica has to stream again before `up` re-clones it (reconnects take under a second).</summary>
    public static readonly TimeSpan HealDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Observes the cluster and plans, changing nothing: what `pgha plan` shows.</summary>
    public static Task<LocalPlan> PlanAsync(LocalCluster cluster, bool allowRestart, CancellationToken cancellationToken) =>
        PlanAsync(cluster, allowRestart, UpConsent.None, cancellationToken);

    /// <summary>The plan `up` with the same consent (--rebuild, --allow-reclone) would follow.</summary>
    public static async Task<LocalPlan> PlanAsync(LocalCluster cluster, bool allowRestart, UpConsent consent, CancellationToken cancellationToken)
    {
        var access = await cluster.AccessAsync(cancellationToken).ConfigureAwait(false);
        var observed = await ClusterObserver.ObserveAsync(cluster.Spec, cluster.Layout, cluster.State, access, cancellationToken).ConfigureAwait(false);
        return ConvergencePlanner.Plan(cluster.Spec, cluster.Placement, observed, allowRestart, consent);
    }

    public static Task<UpResult> UpAsync(LocalCluster cluster, bool allowRestart, IEngineProgress progress, CancellationToken cancellationToken) =>
        UpAsync(cluster, allowRestart, UpConsent.None, progress, cancellationToken);

    /// <param name="consent">What the user allowed beyond the safe defaults: --adopt, --rebuild NODE, --allow-reclone.</param>
    public static async Task<UpResult> UpAsync(
        LocalCluster cluster, bool allowRestart, UpConsent consent, IEngineProgress progress, CancellationToken cancellationToken)
    {
        var steps = new Steps(progress);
        var binariesTask = cluster.BinariesAsync(cancellationToken);
        PrepareDirectories(cluster);
        HealFences(cluster);
        // archive_command names these files, so they exist before any server starts.
        await Backup.StanzaSetup.InstallAsync(cluster, cancellationToken).ConfigureAwait(false);
        var credentials = await LocalSecrets.EnsureAsync(cluster.Spec, cluster.Layout, cluster.User, cancellationToken).ConfigureAwait(false);
        if (consent.Adopt)
        {
            await steps.TimeAsync("cluster", "adopt", async () => await Adoption.AdoptAsync(cluster, cancellationToken).ConfigureAwait(false),
                cluster.UnreadableState is { } aside ? $"the unreadable state.json was kept as {aside}" : null).ConfigureAwait(false);
        }

        var spec = cluster.Spec;
        var access = await cluster.AccessAsync(cancellationToken).ConfigureAwait(false) ?? throw new LocalEngineException("credentials vanished");
        var observed = await ClusterObserver.ObserveAsync(spec, cluster.Layout, cluster.State, access, cancellationToken).ConfigureAwait(false);
        var plan = ConvergencePlanner.Plan(spec, cluster.Placement, observed, allowRestart, consent);
        if (!plan.Problems.IsEmpty)
        {
            throw new LocalEngineException($"up refused to act on stack {spec.Stack}:\n  " + string.Join("\n  ", plan.Problems));
        }

        var binaries = await binariesTask.ConfigureAwait(false);
        var context = new Execution(cluster, binaries, access, steps, plan);
        foreach (var remove in plan.Actions.OfType<RemoveNode>())
        {
            await context.RemoveAsync(remove, cancellationToken).ConfigureAwait(false);
        }

        await ConvergeNodesAsync(cluster, binaries, context, cancellationToken).ConfigureAwait(false);
        foreach (var drop in plan.Actions.OfType<DropSlot>())
        {
            var dropped = false;
            await steps.TimeAsync(drop.Node, $"drop slot {drop.Slot}",
                async () => dropped = await Slots.DropIfInactiveAsync(access.DataSource(drop.Node), drop.Slot, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            if (!dropped)
            {
                progress.Report(new EngineStep(drop.Node, $"slot {drop.Slot} left", TimeSpan.Zero, "something streams through it now: pgha never terminates a walsender to drop a slot"));
            }
        }

        if (spec.Backup is not null && !Backup.StanzaSetup.StanzaExists(spec))
        {
            await steps.TimeAsync(spec.Primary, "backup stanza", () => Backup.StanzaSetup.EnsureStanzaAsync(cluster, cancellationToken), $"pgBackRest stanza {spec.Stanza}").ConfigureAwait(false);
        }

        await cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return new UpResult(plan, steps.All, credentials);
    }

    /// <summary>
    /// Every node's work, each after its upstream, siblings in parallel, beside the version record. The first failure
    /// cancels the rest (a sibling's pg_basebackup need not finish for an up that already failed), and that failure,
    /// not a sibling's cancellation, is what up reports; nothing started here is still running when this returns.
    /// </summary>
    private static async Task ConvergeNodesAsync(LocalCluster cluster, PostgresBinaries binaries, Execution context, CancellationToken cancellationToken)
    {
        var spec = cluster.Spec;
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? firstFailure = null;
        var started = new List<Task>();
        async Task Guarded(Func<CancellationToken, Task> work)
        {
            try
            {
                await work(run.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref firstFailure, e, null);
                await run.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }

        try
        {
            // Recorded beside the node work, not before it: the store serialises the writes, and initdb need not wait.
            started.Add(Guarded(ct => cluster.Store.UpdateAsync(spec.Stack, spec.Name, s => s with
            {
                PostgresMajor = binaries.MajorVersion,
                PostgresVersion = binaries.VersionText,
                PghaVersion = typeof(LocalEngine).Assembly.GetName().Version?.ToString(),
            }, ct)));
            var nodes = new Dictionary<string, Task>(StringComparer.Ordinal);
            foreach (var node in spec.InCreationOrder())
            {
                var upstream = spec.UpstreamOf(node);
                var after = upstream is null ? Task.CompletedTask : nodes[upstream.Name];
                nodes[node.Name] = Guarded(ct => context.ConvergeAsync(node, after, ct));
                started.Add(nodes[node.Name]);
            }

            await Task.WhenAll(started).ConfigureAwait(false);
        }
        catch when (firstFailure is not null && !cancellationToken.IsCancellationRequested)
        {
            ExceptionDispatchInfo.Throw(firstFailure);
        }
        finally
        {
            await Task.WhenAll(started).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

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
                // Idle pooled connections go before their servers do.
                (await cluster.AccessAsync(cancellationToken).ConfigureAwait(false))?.ClearPools();

                await Task.WhenAll(dataDirectories.Where(PostmasterPidFile.IsRunning).Select(dir =>
                    steps.TimeAsync(Path.GetFileName(dir), "stop (fast)", () => StartStop.StopAsync(binaries, cluster.Runner, dir, StopPolicy.Graceful, cancellationToken)))).ConfigureAwait(false);
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

    /// <summary>A fenced node that lost standby.signal (an interrupted rewind) gets it back before anything else happens.</summary>
    private static void HealFences(LocalCluster cluster)
    {
        foreach (var dir in Directory.EnumerateDirectories(cluster.Layout.DataRoot))
        {
            Failover.Fence.Restore(dir, cluster.User);
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
            TestDieAt.Check(step, node, finished: false);
            var clock = Stopwatch.StartNew();
            await work().ConfigureAwait(false);
            TestDieAt.Check(step, node, finished: true);
            var done = new EngineStep(node, step, clock.Elapsed, detail);
            lock (all)
            {
                all.Add(done);
            }

            progress.Report(done);
        }
    }

    /// <summary>One run of a plan: the per-node work, each node after its upstream.</summary>
    private sealed class Execution(LocalCluster cluster, PostgresBinaries binaries, ClusterAccess access, Steps steps, LocalPlan plan)
    {
        private ClusterSpec Spec => cluster.Spec;

        private StateLayout Layout => cluster.Layout;

        public async Task ConvergeAsync(NodeSpec node, Task upstreamReady, CancellationToken cancellationToken)
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
                    case RejoinNode rejoin:
                        // The rejoin switchover and failover use (PromotionRunner's), with its wait until the node streams.
                        await steps.TimeAsync(node.Name, "rejoin (fenced)", async () =>
                        {
                            var control = new Failover.LocalNodeControl(cluster, binaries) { AllowReclone = rejoin.AllowReclone };
                            await new PromotionRunner(access, control).RejoinOneAsync(Spec, node.Name, cancellationToken).ConfigureAwait(false);
                        }, $"as a replica of {rejoin.Upstream}").ConfigureAwait(false);
                        started = true;
                        break;
                    case FinishPromotion finish:
                        await steps.TimeAsync(node.Name, "finish promotion", () => FinishPromotionAsync(node, cancellationToken), finish.Reason).ConfigureAwait(false);
                        started = true;
                        break;
                    case StartNode when Failover.Fence.IsFenced(dataDirectory) && Spec.IsPrimary(node):
                        // The planner found no other primary: the interrupted operation's roll-back, as PromotionRunner's own.
                        await steps.TimeAsync(node.Name, "unfence + start", async () =>
                        {
                            await ConfigInstaller.InstallAsync(dataDirectory, files, cluster.User, cancellationToken).ConfigureAwait(false);
                            File.Delete(Path.Combine(dataDirectory, NodeFiles.StandbySignal));
                            Failover.Fence.Lift(dataDirectory);
                            await StartStop.StartAsync(binaries, cluster.Runner, dataDirectory, Layout.LogFile(node.Name), StartDeadline, cancellationToken).ConfigureAwait(false);
                        }, "the recorded primary, fenced by an interrupted operation").ConfigureAwait(false);
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
                                await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopPolicy.Graceful, cancellationToken).ConfigureAwait(false);
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
                    case HealNode heal:
                        await HealAsync(heal, node, files, cancellationToken).ConfigureAwait(false);
                        started = true;
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

        /// <summary>
        /// The recorded primary's interrupted promotion, finished as `pgha failover --adopt` finishes it (AdoptPlanner,
        /// then PromotionRunner: one-primary check, record, pg_promote), so the last check before pg_promote is the same.
        /// </summary>
        private async Task FinishPromotionAsync(NodeSpec node, CancellationToken cancellationToken)
        {
            var observation = await ReplicationObserver.ObserveAsync(access, cancellationToken).ConfigureAwait(false);
            var decision = AdoptPlanner.Plan(Spec, observation, node.Name);
            if (decision.Plan is not { NeedsPromotion: true } adopt)
            {
                throw new LocalEngineException($"up did not finish the promotion of {node.Name}: {decision.Reason}");
            }

            var report = await new PromotionRunner(access, new Failover.LocalNodeControl(cluster, binaries)).AdoptAsync(adopt, cancellationToken).ConfigureAwait(false);
            if (!report.Succeeded)
            {
                throw new LocalEngineException($"up could not finish the promotion of {node.Name}: {report.Error}" + (report.Aftermath is { } then ? $"; {then}" : ""));
            }
        }

        /// <summary>Restart first; a re-clone only when the restarted replica still does not stream within <see cref="HealDeadline"/>.</summary>
        private async Task HealAsync(HealNode heal, NodeSpec node, NodeFiles files, CancellationToken cancellationToken)
        {
            var dataDirectory = Layout.DataDirectory(node.Name);
            string? stillBroken = null;
            await steps.TimeAsync(node.Name, "heal (restart)", async () =>
            {
                await ConfigInstaller.InstallAsync(dataDirectory, files, cluster.User, cancellationToken).ConfigureAwait(false);
                await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopPolicy.Graceful, cancellationToken).ConfigureAwait(false);
                access.DataSource(node.Name).Clear();
                await StartStop.StartAsync(binaries, cluster.Runner, dataDirectory, Layout.LogFile(node.Name), StartDeadline, cancellationToken).ConfigureAwait(false);
                try
                {
                    await StreamingWait.UntilStreamingOrWaitingAsync(access, node, node.Name, heal.Upstream, node.SlotName, HealDeadline, cancellationToken).ConfigureAwait(false);
                }
                catch (FailoverException e)
                {
                    stillBroken = e.Message;
                }
            }, heal.Reason).ConfigureAwait(false);
            if (stillBroken is not null)
            {
                await CreateAsync(new CreateNode(node.Name, heal.Upstream, true, $"a restart did not make it stream ({stillBroken}): make it again from {heal.Upstream}"),
                    node, files, cancellationToken).ConfigureAwait(false);
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
                        await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopPolicy.Immediate, cancellationToken).ConfigureAwait(false);
                    }

                    await cluster.Store.UpdateAsync(Spec.Stack, Spec.Name, s => s.WithoutNode(node.Name), cancellationToken).ConfigureAwait(false);
                    await MarkCreatingAsync(node.Name, create.Reason, cancellationToken).ConfigureAwait(false);
                    DeleteDirectory(dataDirectory);
                }, create.Reason).ConfigureAwait(false);
            }

            // Before initdb or pg_basebackup writes a byte: only a directory pgha marked so is ever removed without consent.
            await MarkCreatingAsync(node.Name, create.Reason, cancellationToken).ConfigureAwait(false);
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
                ServerUser.DeleteDurably(Layout.CreatingMarker(node.Name));
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
            await ConfigInstaller.InstallAsync(dataDirectory, files, cluster.User, cancellationToken).ConfigureAwait(false);
            await steps.TimeAsync(node.Name, "start", () => StartStop.StartAsync(binaries, cluster.Runner, dataDirectory, Layout.LogFile(node.Name), StartDeadline, cancellationToken)).ConfigureAwait(false);
            access.DataSource(node.Name).Clear();
            await cluster.Store.UpdateAsync(Spec.Stack, Spec.Name, s => s
                .WithNode(new NodeRecord(node.Name, node.Port, "replica", upstream.Name, DateTimeOffset.UtcNow)), cancellationToken).ConfigureAwait(false);
            ServerUser.DeleteDurably(Layout.CreatingMarker(node.Name));
        }

        private Task MarkCreatingAsync(string node, string reason, CancellationToken cancellationToken) =>
            cluster.User.WriteFileAsync(Layout.CreatingMarker(node), $"{DateTimeOffset.UtcNow:O} {reason}\n", UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken, durable: true);

        public async Task RemoveAsync(RemoveNode remove, CancellationToken cancellationToken)
        {
            var dataDirectory = Layout.DataDirectory(remove.Node);
            await steps.TimeAsync(remove.Node, "remove", async () =>
            {
                JoinAsReplica.KillLeftoverBackups(dataDirectory);
                if (PostmasterPidFile.IsRunning(dataDirectory))
                {
                    await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopPolicy.Graceful, cancellationToken).ConfigureAwait(false);
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

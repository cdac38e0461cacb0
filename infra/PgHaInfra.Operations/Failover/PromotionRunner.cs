using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;
using PgHaInfra.Operations.Replication;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Carries out a planned switchover or failover, adoptions and rejoins. Engine-agnostic: SQL over
/// <see cref="ClusterAccess"/>, process and file work through <see cref="INodeControl"/>. Each step is timed and
/// reported as it ends. Two rules hold on every path: right before pg_promote, no node but the target accepts writes
/// (a check --force cannot override), and the target is recorded as the primary before pg_promote is sent, so a
/// promotion once requested is treated as done and nothing ever promotes a second node behind it.
/// </summary>
/// <param name="access">Access to the cluster as it is now (the old spec's addresses cover every node).</param>
public sealed class PromotionRunner(ClusterAccess access, INodeControl control, PromotionTimeouts? timeouts = null, Action<StepTiming>? onStep = null)
{
    private readonly PromotionTimeouts timeouts = timeouts ?? PromotionTimeouts.Default;

    /// <summary>
    /// Switchover: fast stop (fence) the old primary, wait until the target replayed its shutdown checkpoint,
    /// promote, re-point the others, and rejoin the old primary. Any failure before the promotion is requested
    /// (a timeout, an SQL or engine error, cancellation) rolls back: the old primary starts again as primary, on a
    /// token of its own, so a Ctrl-C cannot cancel the roll-back too.
    /// </summary>
    public async Task<PromotionReport> SwitchoverAsync(SwitchoverPlan plan, bool rejoin, CancellationToken cancellationToken)
    {
        var steps = new StepRecorder(onStep);
        var old = plan.Current.Node(plan.OldPrimary);
        var progress = new Progress();
        try
        {
            var checkpoint = await steps.RunAsync("fence", plan.OldPrimary, async () =>
            {
                var lsn = await control.StopCleanlyAsync(old, cancellationToken);
                var fenced = await control.FenceAsync(old, cancellationToken);
                return (lsn, fenced);
            }, r => $"fast shutdown of {plan.OldPrimary}: " + (r.lsn is { } l ? $"shutdown checkpoint at {l}" : "no checkpoint location from the engine") + $"; {r.fenced}");
            var final = checkpoint.lsn ?? plan.PrimaryLsnAtPlan;
            progress.FinalLsn = final;
            await steps.RunAsync("final-lsn", plan.Target, async () =>
            {
                var replayed = await WaitForReplay.UntilAsync(access.DataSource(plan.Target), plan.Target, final, timeouts.FinalLsn, cancellationToken);
                return $"{plan.Target} replayed {replayed} >= final LSN {final} of {plan.OldPrimary}" + (checkpoint.lsn is null ? " (last LSN seen before the stop)" : " (shutdown checkpoint)");
            });

            return await PromoteAndFollowAsync(plan, steps, progress, rejoin, cancellationToken);
        }
        catch (Exception e) when (!progress.PromoteRequested)
        {
            return await RollBackAsync(plan, old, steps, progress, Describe(e));
        }
    }

    /// <summary>
    /// Failover: fence the old primary (stop it if it runs, mark it so it cannot come back writable), promote the
    /// target, re-point the others. The old primary is rejoined later (`pgha rejoin`) unless <paramref name="rejoin"/>.
    /// </summary>
    public async Task<PromotionReport> FailoverAsync(FailoverPlan plan, bool rejoin, CancellationToken cancellationToken)
    {
        var steps = new StepRecorder(onStep);
        var progress = new Progress();
        try
        {
            await steps.RunAsync("fence", plan.OldPrimary, () => control.FenceAsync(plan.Current.Node(plan.OldPrimary), cancellationToken));
            return await PromoteAndFollowAsync(plan, steps, progress, rejoin, cancellationToken);
        }
        catch (Exception e) when (IsReportable(e) || e is OperationCanceledException)
        {
            return Report(plan, steps, progress, null, Describe(e)) with
            {
                Aftermath = progress.PromoteRequested
                    ? PromotedAftermath(plan)
                    : $"nothing was promoted; {plan.OldPrimary} is fenced if the fence step ran, and no node may accept writes: run `pgha failover` again once the cause is fixed",
            };
        }
    }

    /// <summary>
    /// Adopts a node that already accepts writes as the recorded primary (or finishes the recorded primary's
    /// interrupted promotion): fences the old recorded primary, records, re-points the others.
    /// </summary>
    public async Task<PromotionReport> AdoptAsync(AdoptPlan plan, CancellationToken cancellationToken)
    {
        var steps = new StepRecorder(onStep);
        var progress = new Progress();
        try
        {
            if (plan.OldPrimary != plan.Target)
            {
                await steps.RunAsync("fence", plan.OldPrimary, () => control.FenceAsync(plan.Current.Node(plan.OldPrimary), cancellationToken));
            }

            return await PromoteAndFollowAsync(plan, steps, progress, rejoin: false, cancellationToken, alreadyWritable: !plan.NeedsPromotion);
        }
        catch (Exception e) when (IsReportable(e) || e is OperationCanceledException)
        {
            return Report(plan, steps, progress, null, Describe(e)) with
            {
                Aftermath = $"{plan.Target} was not recorded as the primary unless the record-primary step ran; run `pgha failover --adopt {plan.Target}` again once the cause is fixed",
            };
        }
    }

    /// <summary>Brings <paramref name="node"/> back as a replica of its upstream in <paramref name="spec"/>.</summary>
    public async Task<PromotionReport> RejoinAsync(ClusterSpec spec, string node, CancellationToken cancellationToken)
    {
        var steps = new StepRecorder(onStep);
        try
        {
            var outcome = await RejoinNodeAsync(spec, spec.Node(node), steps, cancellationToken);
            await DropOrphanSlotsAsync(spec, steps, cancellationToken);
            return new PromotionReport("rejoin", node, spec.Primary, outcome.Reason, [], steps.Steps, null, outcome, null);
        }
        catch (Exception e) when (IsReportable(e) || e is OperationCanceledException)
        {
            return new PromotionReport("rejoin", node, spec.Primary, $"rejoin {node} as a replica of {spec.UpstreamOf(spec.Node(node))?.Name}", [], steps.Steps, null, null, Describe(e))
            {
                Aftermath = $"{node} is stopped and still fenced (standby.signal kept): it cannot start writable; fix the cause and run `pgha rejoin --node {node}` again",
            };
        }
    }

    /// <summary>
    /// One node's rejoin as switchover and failover do it (slot on the upstream, the engine's rewind, then a bounded
    /// wait until it streams), for `up` to reuse on a fenced node. Throws what the step throws.
    /// </summary>
    public Task<RejoinOutcome> RejoinOneAsync(ClusterSpec spec, string node, CancellationToken cancellationToken) =>
        RejoinNodeAsync(spec, spec.Node(node), new StepRecorder(onStep), cancellationToken);

    private async Task<PromotionReport> RollBackAsync(SwitchoverPlan plan, NodeSpec old, StepRecorder steps, Progress progress, string cause)
    {
        // Its own bounded token: the operation's may be the one that was cancelled.
        using var rollBack = new CancellationTokenSource(timeouts.RollBack);
        try
        {
            await steps.RunAsync("roll-back", plan.OldPrimary, async () =>
            {
                if (progress.RecordAttempted)
                {
                    await control.RecordPrimaryAsync(plan.Current, $"switchover to {plan.Target} rolled back before promotion: {cause}", rollBack.Token);
                }

                await control.StartAsync(plan.Current, old, rollBack.Token);
                await Promote.UntilWritableAsync(access.DataSource(plan.OldPrimary), plan.OldPrimary, timeouts.RollBack, rollBack.Token);
                return $"{plan.OldPrimary} started again as primary and accepts writes; {plan.Target} was never promoted";
            });
            return Report(plan, steps, progress, null, $"{cause}; rolled back") with
            {
                Aftermath = $"{plan.OldPrimary} is the primary again and {plan.Target} a streaming replica, as before; nothing else changed. Fix the cause and run the switchover again",
            };
        }
        catch (Exception e) when (IsReportable(e) || e is OperationCanceledException)
        {
            return Report(plan, steps, progress, null, $"{cause}; the roll-back failed too: {Describe(e)}") with
            {
                Aftermath = $"no node accepts writes: {plan.OldPrimary} is stopped and fenced, and {plan.Target} was never promoted. " +
                            $"Promote the target with `pgha failover --to {plan.Target}` (it replayed up to the final LSN {progress.FinalLsn?.ToString() ?? "unknown"} or close), " +
                            $"or start {plan.OldPrimary} again with `pgha failover --adopt {plan.OldPrimary}` after starting it by hand without standby.signal",
            };
        }
    }

    private async Task<PromotionReport> PromoteAndFollowAsync(PromotionPlan plan, StepRecorder steps, Progress progress, bool rejoin, CancellationToken cancellationToken, bool alreadyWritable = false)
    {
        var next = plan.Next;
        var target = next.Node(plan.Target);
        if (!alreadyWritable)
        {
            // The last word before pg_promote, whatever the plan said: no other node accepts writes. Not forceable.
            await steps.RunAsync("one-primary", plan.Target, async () =>
            {
                var now = await ReplicationObserver.ObserveAsync(access, cancellationToken);
                var check = Preconditions.OnePrimary(plan.Current, now, plan.Target);
                return check.Blocks ? throw new FailoverException("one-primary", $"not promoting {plan.Target}: {check.Detail}") : check.Detail;
            });

            // The primary's settings (synchronous_standby_names) go on disk before the promotion and take effect by the
            // reload right after it; reloading before would drop primary_conninfo while it still streams.
            await control.InstallConfigurationAsync(next, target, cancellationToken);
        }

        // Recorded BEFORE pg_promote: if pgha dies between the two, the state names the node that may be writable,
        // and no later failover promotes a second one behind its back.
        progress.RecordAttempted = true;
        await steps.RunAsync("record-primary", plan.Target, async () =>
        {
            await control.RecordPrimaryAsync(next, $"{plan.Kind} from {plan.OldPrimary} at {DateTimeOffset.UtcNow:O}: {plan.Reason}", cancellationToken);
            return $"the engine now records {plan.Target} as primary" + (alreadyWritable ? "" : " (before pg_promote: a promotion once requested is treated as done)");
        });

        try
        {
            if (!alreadyWritable)
            {
                progress.PromoteRequested = true;
                await steps.RunAsync("promote", plan.Target, async () =>
                {
                    var took = await Promote.PromoteAndWaitAsync(access.DataSource(plan.Target), plan.Target, timeouts.Promote, cancellationToken);
                    await RePoint.ReloadAsync(access.DataSource(plan.Target), cancellationToken);
                    return $"{plan.Target} accepts writes {took.TotalMilliseconds:0} ms after pg_promote; its configuration is now the primary's";
                });
            }
            else
            {
                progress.PromoteRequested = true;
                await control.InstallConfigurationAsync(next, target, cancellationToken);
                await RePoint.ReloadAsync(access.DataSource(plan.Target), cancellationToken);
            }

            if (plan.RePoints.Length > 0)
            {
                await steps.RunAsync("re-point", string.Join(",", plan.RePoints.Select(r => r.Node)), async () =>
                {
                    var done = await Task.WhenAll(plan.RePoints.Select(r => RePoint.RunAsync(access, control, next, r, timeouts.Streaming, cancellationToken)));
                    return string.Join("; ", done);
                });
            }

            RejoinOutcome? outcome = null;
            if (rejoin)
            {
                outcome = await RejoinNodeAsync(next, next.Node(plan.OldPrimary), steps, cancellationToken);
            }

            await DropOrphanSlotsAsync(next, steps, cancellationToken);
            return Report(plan, steps, progress, outcome, null);
        }
        catch (Exception e) when (IsReportable(e) || e is OperationCanceledException)
        {
            return Report(plan, steps, progress, null, Describe(e)) with { Aftermath = PromotedAftermath(plan) };
        }
    }

    private static string PromotedAftermath(PromotionPlan plan) =>
        $"{plan.Target} is recorded as the primary and its promotion was requested, which counts as done: no other node will be promoted. " +
        $"Run `pgha up`: it finishes the promotion if {plan.Target} is still in recovery (as `pgha failover --adopt {plan.Target}` does), and re-points or rejoins the rest (or `pgha rejoin --node {plan.OldPrimary}`)";

    private async Task<RejoinOutcome> RejoinNodeAsync(ClusterSpec spec, NodeSpec node, StepRecorder steps, CancellationToken cancellationToken)
    {
        if (spec.IsPrimary(node))
        {
            throw new FailoverException("rejoin", $"{node.Name} is the primary in the current state; only a replica can rejoin");
        }

        var upstream = spec.UpstreamOf(node)!;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeouts.Rejoin);
        try
        {
            var outcome = await steps.RunAsync("rejoin", node.Name, async () =>
            {
                await Slots.EnsureAsync(access.DataSource(upstream.Name), node.SlotName, bounded.Token);
                await Checkpoint.RunAsync(access.DataSource(upstream.Name), bounded.Token);
                var result = await control.RejoinAsync(spec, node, bounded.Token);
                var took = await StreamingWait.UntilStreamingAsync(access, node.Name, upstream.Name, node.SlotName, timeouts.Streaming, bounded.Token);
                return (result, took);
            }, r => $"{r.result.Reason}; streaming from {upstream.Name} {r.took.TotalMilliseconds:0} ms after start");
            return outcome.result;
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new FailoverException("rejoin", $"the rejoin of {node.Name} did not finish within {timeouts.Rejoin.TotalSeconds:0} s (PromotionTimeouts.Rejoin)");
        }
    }

    private async Task DropOrphanSlotsAsync(ClusterSpec spec, StepRecorder steps, CancellationToken cancellationToken) =>
        await steps.RunAsync("drop-orphan-slots", null, async () =>
        {
            var dropped = new List<string>();
            foreach (var node in spec.Nodes)
            {
                try
                {
                    var names = await Slots.DropOrphansAsync(spec, node, access.DataSource(node.Name), cancellationToken);
                    dropped.AddRange(names.Select(n => $"{n} on {node.Name}"));
                }
                catch (NpgsqlException)
                {
                    // A node that is down (a fenced old primary) keeps its slots until it rejoins; rejoin drops them.
                }
            }

            return dropped.Count == 0 ? "no orphaned slots" : $"dropped {string.Join(", ", dropped)}: nothing streams through them any more";
        });

    /// <summary>Once the promotion was requested, the target is the primary even if a later step (re-point, rejoin) failed.</summary>
    private static PromotionReport Report(PromotionPlan plan, StepRecorder steps, Progress progress, RejoinOutcome? rejoin, string? error) =>
        new(plan.Kind, plan.OldPrimary, progress.PromoteRequested ? plan.Target : plan.OldPrimary, plan.Reason, plan.Checks, steps.Steps, progress.FinalLsn, rejoin, error)
        {
            Promoted = progress.PromoteRequested,
        };

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "cancelled (SIGINT or a deadline)",
        NpgsqlException => ReplicationProbe.Describe(e),
        _ => e.Message,
    };

    /// <summary>What ends an operation with a report (what was done, what failed) rather than a crash.</summary>
    private static bool IsReportable(Exception e) => e is FailoverException or NpgsqlException or IOException or InvalidOperationException or TimeoutException;

    /// <summary>How far one operation got: what decides between a roll-back and "treated as done".</summary>
    private sealed class Progress
    {
        public bool RecordAttempted { get; set; }

        public bool PromoteRequested { get; set; }

        public Lsn? FinalLsn { get; set; }
    }
}

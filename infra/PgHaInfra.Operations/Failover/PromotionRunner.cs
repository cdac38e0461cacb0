using System.Collections.Immutable;
using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Carries out a planned switchover or failover, and rejoins. Engine-agnostic: SQL over <see cref="ClusterAccess"/>,
/// process and file work through <see cref="INodeControl"/>. Each step is timed and reported as it ends.
/// </summary>
/// <param name="access">Access to the cluster as it is now (the old spec's addresses cover every node).</param>
public sealed class PromotionRunner(ClusterAccess access, INodeControl control, PromotionTimeouts? timeouts = null, Action<StepTiming>? onStep = null)
{
    private readonly PromotionTimeouts timeouts = timeouts ?? PromotionTimeouts.Default;

    /// <summary>
    /// Switchover: fast stop (fence) the old primary, wait until the target replayed its shutdown checkpoint,
    /// promote, re-point the others, and rejoin the old primary. If the target never reaches the final LSN, the old
    /// primary is started again as primary and nothing else has changed.
    /// </summary>
    public async Task<PromotionReport> SwitchoverAsync(SwitchoverPlan plan, bool rejoin, CancellationToken cancellationToken)
    {
        var steps = new StepRecorder(onStep);
        var old = plan.Current.Node(plan.OldPrimary);
        Lsn? finalLsn = null;
        try
        {
            var checkpoint = await steps.RunAsync("fence", plan.OldPrimary, async () =>
            {
                var lsn = await control.StopCleanlyAsync(old, cancellationToken);
                var fenced = await control.FenceAsync(old, cancellationToken);
                return (lsn, fenced);
            }, r => $"fast shutdown of {plan.OldPrimary}: " + (r.lsn is { } l ? $"shutdown checkpoint at {l}" : "no checkpoint location from the engine") + $"; {r.fenced}");
            var final = checkpoint.lsn ?? plan.PrimaryLsnAtPlan;
            finalLsn = final;
            try
            {
                await steps.RunAsync("final-lsn", plan.Target, async () =>
                {
                    var replayed = await WaitForReplay.UntilAsync(access.DataSource(plan.Target), plan.Target, final, timeouts.FinalLsn, cancellationToken);
                    return $"{plan.Target} replayed {replayed} >= final LSN {final} of {plan.OldPrimary}" + (checkpoint.lsn is null ? " (last LSN seen before the stop)" : " (shutdown checkpoint)");
                });
            }
            catch (FailoverException e)
            {
                // Nothing was promoted: put the old primary back, so the cluster is as it was.
                await steps.RunAsync("roll-back", plan.OldPrimary, async () =>
                {
                    await control.StartAsync(plan.Current, old, cancellationToken);
                    return $"{plan.OldPrimary} started again as primary; nothing else changed";
                });
                return Report(plan, steps, finalLsn, null, e.Message);
            }

            return await PromoteAndFollowAsync(plan, steps, finalLsn, rejoin, cancellationToken);
        }
        catch (Exception e) when (IsReportable(e))
        {
            return Report(plan, steps, finalLsn, null, e.Message);
        }
    }

    /// <summary>
    /// Failover: fence the old primary (stop it if it runs, mark it so it cannot come back writable), promote the
    /// target, re-point the others. The old primary is rejoined later (`pgha rejoin`) unless <paramref name="rejoin"/>.
    /// </summary>
    public async Task<PromotionReport> FailoverAsync(FailoverPlan plan, bool rejoin, CancellationToken cancellationToken)
    {
        var steps = new StepRecorder(onStep);
        try
        {
            await steps.RunAsync("fence", plan.OldPrimary, () => control.FenceAsync(plan.Current.Node(plan.OldPrimary), cancellationToken));
            return await PromoteAndFollowAsync(plan, steps, null, rejoin, cancellationToken);
        }
        catch (Exception e) when (IsReportable(e))
        {
            return Report(plan, steps, null, null, e.Message);
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
        catch (Exception e) when (IsReportable(e))
        {
            return new PromotionReport("rejoin", node, spec.Primary, $"rejoin {node} as a replica of {spec.UpstreamOf(spec.Node(node))?.Name}", [], steps.Steps, null, null, e.Message);
        }
    }

    private async Task<PromotionReport> PromoteAndFollowAsync(PromotionPlan plan, StepRecorder steps, Lsn? finalLsn, bool rejoin, CancellationToken cancellationToken)
    {
        try
        {
            return await PromoteAndFollowCoreAsync(plan, steps, finalLsn, rejoin, cancellationToken);
        }
        catch (Exception e) when (IsReportable(e))
        {
            return Report(plan, steps, finalLsn, null, e.Message);
        }
    }

    private async Task<PromotionReport> PromoteAndFollowCoreAsync(PromotionPlan plan, StepRecorder steps, Lsn? finalLsn, bool rejoin, CancellationToken cancellationToken)
    {
        var next = plan.Next;
        var target = next.Node(plan.Target);
        // The primary's settings (synchronous_standby_names) go on disk before the promotion and take effect by the
        // reload right after it; reloading before would drop primary_conninfo while it still streams.
        await control.InstallConfigurationAsync(next, target, cancellationToken);
        await steps.RunAsync("promote", plan.Target, async () =>
        {
            var took = await Promote.PromoteAndWaitAsync(access.DataSource(plan.Target), plan.Target, timeouts.Promote, cancellationToken);
            await RePoint.ReloadAsync(access.DataSource(plan.Target), cancellationToken);
            return $"{plan.Target} accepts writes {took.TotalMilliseconds:0} ms after pg_promote; its configuration is now the primary's";
        });
        await steps.RunAsync("record-primary", plan.Target, async () =>
        {
            await control.RecordPrimaryAsync(next, $"{plan.Kind} from {plan.OldPrimary} at {DateTimeOffset.UtcNow:O}: {plan.Reason}", cancellationToken);
            return $"the engine now records {plan.Target} as primary";
        });

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
        return Report(plan, steps, finalLsn, outcome, null);
    }

    private async Task<RejoinOutcome> RejoinNodeAsync(ClusterSpec spec, NodeSpec node, StepRecorder steps, CancellationToken cancellationToken)
    {
        if (spec.IsPrimary(node))
        {
            throw new FailoverException("rejoin", $"{node.Name} is the primary in the current state; only a replica can rejoin");
        }

        var upstream = spec.UpstreamOf(node)!;
        var outcome = await steps.RunAsync("rejoin", node.Name, async () =>
        {
            await Slots.EnsureAsync(access.DataSource(upstream.Name), node.SlotName, cancellationToken);
            var result = await control.RejoinAsync(spec, node, cancellationToken);
            var took = await StreamingWait.UntilStreamingAsync(access, node.Name, upstream.Name, node.SlotName, timeouts.Streaming, cancellationToken);
            return (result, took);
        }, r => $"{r.result.Reason}; streaming from {upstream.Name} {r.took.TotalMilliseconds:0} ms after start");
        return outcome.result;
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

    /// <summary>Once the promote step completed, the target is the primary even if a later step (re-point, rejoin) failed.</summary>
    private static PromotionReport Report(PromotionPlan plan, StepRecorder steps, Lsn? finalLsn, RejoinOutcome? rejoin, string? error)
    {
        var promoted = steps.Steps.Any(s => s.Step == "promote");
        return new(plan.Kind, plan.OldPrimary, promoted ? plan.Target : plan.OldPrimary, plan.Reason, plan.Checks, steps.Steps, finalLsn, rejoin, error)
        {
            Promoted = promoted,
        };
    }

    /// <summary>What ends an operation with a report (what was done, what failed) rather than a crash.</summary>
    private static bool IsReportable(Exception e) => e is FailoverException or NpgsqlException or IOException or InvalidOperationException;
}

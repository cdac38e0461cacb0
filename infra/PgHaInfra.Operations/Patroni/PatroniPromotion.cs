using System.Diagnostics;

namespace PgHaInfra.Operations.Patroni;

/// <summary>The outcome of a switchover or failover through Patroni: pgha's reason, Patroni's reply, and the timings.</summary>
public sealed record PatroniPromotionReport(
    string Kind,
    string OldLeader,
    string Target,
    string Reason,
    int PatroniStatus,
    string PatroniReply,
    bool Succeeded,
    string? NewLeader,
    TimeSpan ToNewLeader,
    TimeSpan ToAllRunning);

/// <summary>
/// Carries out a promotion by asking Patroni (POST /switchover or /failover), then waits until Patroni reports the
/// target as a running leader and every member running again. Patroni does the promotion and re-pointing itself.
/// </summary>
public static class PatroniPromotion
{
    public static async Task<PatroniPromotionReport> RunAsync(PatroniClient client, PatroniDecision decision, bool planned, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var target = decision.Target ?? throw new ArgumentException("a refused decision cannot run", nameof(decision));
        var kind = planned ? "switchover" : "failover";
        var clock = Stopwatch.StartNew();
        var via = planned ? decision.Leader : target;
        var reply = planned
            ? await client.SwitchoverAsync(decision.Leader, target, cancellationToken).ConfigureAwait(false)
            : await client.FailoverAsync(via, target, cancellationToken).ConfigureAwait(false);
        if (!reply.Succeeded)
        {
            return new PatroniPromotionReport(kind, decision.Leader, target, decision.Reason, reply.Status, reply.Text.Trim(), false, null, clock.Elapsed, clock.Elapsed);
        }

        TimeSpan? toLeader = null;
        PatroniCluster? view = null;
        while (clock.Elapsed < deadline)
        {
            view = await client.ClusterAsync(cancellationToken).ConfigureAwait(false);
            if (toLeader is null && view?.Leader is { State: "running" } leader && leader.Name == target)
            {
                toLeader = clock.Elapsed;
            }

            if (toLeader is not null && view is not null && client.Spec.Nodes.All(n => view.Member(n.Name) is { State: "running" or "streaming" } m && (m.IsLeader || m.Lag is not null)))
            {
                return new PatroniPromotionReport(kind, decision.Leader, target, decision.Reason, reply.Status, reply.Text.Trim(), true, target, toLeader.Value, clock.Elapsed);
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        return new PatroniPromotionReport(kind, decision.Leader, target, decision.Reason, reply.Status, reply.Text.Trim(), false, view?.Leader?.Name,
            toLeader ?? clock.Elapsed, clock.Elapsed);
    }
}

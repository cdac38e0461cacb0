using System.Diagnostics;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Replication;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Waits until a replica streams from its upstream, seen from both sides: its WAL receiver says streaming on its
/// own slot, and the upstream lists it (by application_name) as streaming. One side alone is not proof (gotcha 2).
/// </summary>
public static class StreamingWait
{
    /// <summary>Streaming from both sides: the WAL receiver streams on <paramref name="slot"/>, and the upstream lists the node as streaming.</summary>
    public static bool Streams(ClusterObservation observation, string node, string upstream, string slot) =>
        observation.Node(node) is { ReceiverStatus: "streaming" } replica && replica.ReceiverSlot == slot
        && observation.Node(upstream).SenderFor(node)?.State == "streaming";

    public static async Task<TimeSpan> UntilStreamingAsync(ClusterAccess access, string node, string upstream, string slot, TimeSpan deadline, CancellationToken cancellationToken) =>
        (await UntilStreamingOrWaitingAsync(access, null, node, upstream, slot, deadline, cancellationToken)).Took;

    /// <summary>
    /// As <see cref="UntilStreamingAsync"/>, but a delayed replica (<paramref name="delayed"/>) that waits out its delay,
    /// re-pointed and with its slot keeping WAL, ends the wait too: its <see cref="DelayWaitState"/> is returned.
    /// </summary>
    public static async Task<(TimeSpan Took, DelayWaitState? Waiting)> UntilStreamingOrWaitingAsync(
        ClusterAccess access, Spec.NodeSpec? delayed, string node, string upstream, string slot, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var observation = await ReplicationProbe.ObserveAsync(access.DataSource, [node, upstream], cancellationToken);
            var replica = observation.Node(node);
            var source = observation.Node(upstream);
            if (Streams(observation, node, upstream, slot))
            {
                return (clock.Elapsed, null);
            }

            var seen = replica.Error ?? source.Error
                ?? $"wal receiver {replica.ReceiverStatus ?? "absent"} on slot {replica.ReceiverSlot ?? "-"}, {upstream} reports {source.SenderFor(node)?.State ?? "no walsender"}";
            if (replica.Reachable && source.Reachable && delayed is { IsDelayed: true } && replica.ReceiverStatus != "streaming")
            {
                var waiting = await DelayWait.ObserveAsync(access, delayed, upstream, cancellationToken);
                if (waiting.Waiting)
                {
                    return (clock.Elapsed, waiting);
                }

                seen += $"; {waiting.Sentence}";
            }

            if (clock.Elapsed > deadline)
            {
                throw new FailoverException("streaming", $"{node} did not stream from {upstream} within {deadline.TotalSeconds:0} s: {seen}");
            }

            await Task.Delay(Promote.PollInterval, cancellationToken);
        }
    }
}

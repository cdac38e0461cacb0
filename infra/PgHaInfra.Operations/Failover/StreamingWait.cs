using System.Diagnostics;
using Npgsql;
using PgHaInfra.Operations.Access;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Waits until a replica streams from its upstream, seen from both sides: its WAL receiver says streaming on its
/// own slot, and the upstream lists it (by application_name) as streaming. One side alone is not proof (gotcha 2).
/// </summary>
public static class StreamingWait
{
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
        var seen = "not asked yet";
        while (true)
        {
            try
            {
                await using var receiver = access.DataSource(node).CreateCommand("SELECT status, slot_name FROM pg_stat_wal_receiver");
                string? status = null, receiverSlot = null;
                await using (var reader = await receiver.ExecuteReaderAsync(cancellationToken))
                {
                    if (await reader.ReadAsync(cancellationToken))
                    {
                        status = reader.IsDBNull(0) ? null : reader.GetString(0);
                        receiverSlot = reader.IsDBNull(1) ? null : reader.GetString(1);
                    }
                }

                await using var sender = access.DataSource(upstream).CreateCommand("SELECT state FROM pg_stat_replication WHERE application_name = $1");
                sender.Parameters.AddWithValue(node);
                var state = await sender.ExecuteScalarAsync(cancellationToken) as string;
                if (status == "streaming" && receiverSlot == slot && state == "streaming")
                {
                    return (clock.Elapsed, null);
                }

                seen = $"wal receiver {status ?? "absent"} on slot {receiverSlot ?? "-"}, {upstream} reports {state ?? "no walsender"}";
                if (delayed is { IsDelayed: true } && status != "streaming")
                {
                    var waiting = await DelayWait.ObserveAsync(access, delayed, upstream, cancellationToken);
                    if (waiting.Waiting)
                    {
                        return (clock.Elapsed, waiting);
                    }

                    seen += $"; {waiting.Sentence}";
                }
            }
            catch (NpgsqlException e)
            {
                seen = ReplicationObserver.OneLine(e);
            }

            if (clock.Elapsed > deadline)
            {
                throw new FailoverException("streaming", $"{node} did not stream from {upstream} within {deadline.TotalSeconds:0} s: {seen}");
            }

            await Task.Delay(Promote.PollInterval, cancellationToken);
        }
    }
}

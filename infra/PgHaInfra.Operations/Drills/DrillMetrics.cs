using System.Collections.Immutable;
using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Operations.Drills;

/// <summary>RTO and RPO of one drill, computed from the writer's records and the steps' timings. Pure.</summary>
/// <param name="LongestGap">The longest time with no acknowledged write, among the gaps that overlap the event.</param>
/// <param name="WritesStopped">The last acknowledgement before that gap.</param>
/// <param name="WritesResumed">The first acknowledgement after it.</param>
/// <param name="FenceToFirstWrite">From the start of the fence step to the first write acknowledged by the new primary.</param>
/// <param name="Missing">Acknowledged ids absent on the new primary afterwards: the RPO in commits.</param>
public sealed record DrillMetrics(
    int Attempted,
    int Acknowledged,
    int Failed,
    TimeSpan LongestGap,
    DateTimeOffset? WritesStopped,
    DateTimeOffset? WritesResumed,
    TimeSpan? FenceToFirstWrite,
    ImmutableArray<long> Missing)
{
    public static DrillMetrics Compute(ImmutableArray<WriteRecord> records, ImmutableArray<StepTiming> steps, string newPrimary, ImmutableArray<long> missing)
    {
        var acks = records.Where(r => r.Acknowledged).OrderBy(r => r.DoneAt).ToList();
        var eventStart = steps.Length > 0 ? steps.Min(s => s.StartedAt) : DateTimeOffset.MinValue;
        var eventEnd = steps.Length > 0 ? steps.Max(s => s.EndedAt) : DateTimeOffset.MaxValue;
        var gap = TimeSpan.Zero;
        DateTimeOffset? stopped = null, resumed = null;
        for (var i = 1; i < acks.Count; i++)
        {
            var (from, to) = (acks[i - 1].DoneAt, acks[i].DoneAt);
            var overlaps = to >= eventStart && from <= eventEnd;
            if (overlaps && to - from > gap)
            {
                gap = to - from;
                (stopped, resumed) = (from, to);
            }
        }

        var fence = steps.FirstOrDefault(s => s.Step == "fence")?.StartedAt;
        var first = fence is { } f ? acks.FirstOrDefault(a => a.Node == newPrimary && a.DoneAt >= f)?.DoneAt : null;
        return new DrillMetrics(records.Length, acks.Count, records.Length - acks.Count, gap, stopped, resumed, first - fence, missing);
    }

    /// <summary>Acknowledged and failed writes per bucket (100 ms by default), from <paramref name="origin"/>.</summary>
    public static ImmutableArray<(double Seconds, int Acknowledged, int Failed)> PerBucket(ImmutableArray<WriteRecord> records, DateTimeOffset origin, DateTimeOffset end, TimeSpan bucket)
    {
        var count = Math.Max(1, (int)Math.Ceiling((end - origin) / bucket));
        var acked = new int[count];
        var failed = new int[count];
        foreach (var record in records)
        {
            var index = (int)Math.Floor((record.DoneAt - origin) / bucket);
            if (index < 0 || index >= count)
            {
                continue;
            }

            if (record.Acknowledged)
            {
                acked[index]++;
            }
            else
            {
                failed[index]++;
            }
        }

        return [.. Enumerable.Range(0, count).Select(i => (i * bucket.TotalSeconds, acked[i], failed[i]))];
    }
}

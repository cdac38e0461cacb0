using System.Collections.Immutable;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Core.Tests.Failover;

/// <summary>RTO/RPO arithmetic and the report files, from hand-made write records.</summary>
public sealed class DrillReportTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static WriteRecord Ack(long id, double seconds, string node) => new(id, T0.AddSeconds(seconds), T0.AddSeconds(seconds), node, null);

    private static WriteRecord Fail(long id, double seconds) => new(id, T0.AddSeconds(seconds), T0.AddSeconds(seconds), null, "Connection refused");

    private static DrillReport Report(ImmutableArray<WriteRecord> writes, ImmutableArray<long> missing)
    {
        ImmutableArray<StepTiming> steps =
        [
            new("fence", "pg-1", T0.AddSeconds(1.0), TimeSpan.FromMilliseconds(100), "fast shutdown"),
            new("final-lsn", "pg-2", T0.AddSeconds(1.1), TimeSpan.FromMilliseconds(20), "replayed"),
            new("promote", "pg-2", T0.AddSeconds(1.12), TimeSpan.FromMilliseconds(60), "promoted"),
            new("re-point", "pg-3", T0.AddSeconds(1.2), TimeSpan.FromMilliseconds(100), "re-pointed"),
        ];
        var promotion = new PromotionReport("switchover", "pg-1", "pg-2", "chose pg-2: requested", [PreconditionCheck.Pass("target streaming", "yes")], steps, Lsn.Parse("0/3000148"), null, null);
        var metrics = DrillMetrics.Compute(writes, steps, "pg-2", missing);
        return new DrillReport("switchover", "local", T0, T0.AddSeconds(2), [], promotion, null, metrics, writes, true, "3 checks passed");
    }

    [Fact]
    public void Rto_is_the_longest_gap_around_the_event_and_fence_to_first_write_counts_the_new_primary_only()
    {
        ImmutableArray<WriteRecord> writes =
            [Ack(1, 0.1, "pg-1"), Ack(2, 0.2, "pg-1"), Ack(3, 0.95, "pg-1"), Fail(4, 1.05), Fail(5, 1.1), Ack(6, 1.25, "pg-2"), Ack(7, 1.3, "pg-2")];

        var report = Report(writes, []);

        Assert.Equal(300, report.Metrics.LongestGap.TotalMilliseconds, 3);
        Assert.Equal(T0.AddSeconds(0.95), report.Metrics.WritesStopped);
        Assert.Equal(250, report.Metrics.FenceToFirstWrite!.Value.TotalMilliseconds, 3);
        Assert.Equal((5, 2), (report.Metrics.Acknowledged, report.Metrics.Failed));
        Assert.True(report.Passed);
    }

    [Fact]
    public void A_missing_acknowledged_commit_fails_the_drill_and_every_file_says_so()
    {
        var report = Report([Ack(1, 0.1, "pg-1"), Ack(2, 1.5, "pg-2")], [1]);

        var json = DrillReportWriter.ToJson(report);
        var markdown = DrillReportWriter.ToMarkdown(report);
        var svg = DrillTimeline.Svg(report);

        Assert.False(report.Passed);
        Assert.Equal(1, (int)json["rpo"]!["missingAcknowledgedCommits"]!);
        Assert.Contains("FAILED: 1 acknowledged commit(s) missing on pg-2", markdown, StringComparison.Ordinal);
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("final LSN reached", svg, StringComparison.Ordinal);
        Assert.Contains("writes resumed", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_are_counted_per_100_ms_bucket()
    {
        var buckets = DrillMetrics.PerBucket([Ack(1, 0.01, "a"), Ack(2, 0.05, "a"), Fail(3, 0.15), Ack(4, 0.31, "b")], T0, T0.AddSeconds(0.4), TimeSpan.FromMilliseconds(100));

        Assert.Equal([2, 0, 0, 1], buckets.Select(b => b.Acknowledged));
        Assert.Equal([0, 1, 0, 0], buckets.Select(b => b.Failed));
    }
}

using PgHaInfra.Operations.Lag;
using Prometheus;

namespace PgHaInfra.Cli.Commands.Metrics;

/// <summary>
/// The `pgha_` metric families of one cluster, in their own prometheus-net registry (no process or runtime metrics),
/// set from a lag report. A value that could not be measured is left out of the exposition rather than faked as 0,
/// and series of replicas or slots that are gone are removed.
/// </summary>
public sealed class LagMetrics
{
    private static readonly string[] ReplicaLabels = ["cluster", "replica", "upstream"];

    public LagMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        LagBytes = factory.CreateGauge("pgha_replica_lag_bytes",
            "Bytes a replica is behind its upstream at each stage (sent, write, flush, replay), from the upstream's pg_stat_replication.",
            [.. ReplicaLabels, "stage"]);
        BehindPrimaryBytes = factory.CreateGauge("pgha_replica_behind_primary_bytes",
            "Bytes a replica is behind the primary's current LSN: WAL replayed, or WAL received for a delayed replica. This is the value judged against the byte thresholds.",
            ReplicaLabels);
        LagSeconds = factory.CreateGauge("pgha_replica_lag_seconds",
            "A replica's time lag judged against the time thresholds (0 when caught up; beyond its apply delay for a delayed replica).",
            ReplicaLabels);
        UpstreamLagSeconds = factory.CreateGauge("pgha_replica_upstream_lag_seconds",
            "write_lag, flush_lag and replay_lag from the upstream's pg_stat_replication (absent when PostgreSQL reports NULL).",
            [.. ReplicaLabels, "stage"]);
        Streaming = factory.CreateGauge("pgha_replica_streaming",
            "1 when the replica streams (its upstream has a streaming WAL sender for it and its WAL receiver streams), else 0.",
            ReplicaLabels);
        ReplayPaused = factory.CreateGauge("pgha_replica_replay_paused", "1 when WAL replay is paused on the replica.", ReplicaLabels);
        ReplicaLevel = factory.CreateGauge("pgha_replica_lag_level",
            "The replica's alert level as `pgha lag` judges it: 0 ok, 1 warning, 2 critical, 3 unknown.", ReplicaLabels);
        SlotRetainedBytes = factory.CreateGauge("pgha_slot_retained_bytes",
            "WAL a replication slot keeps from being recycled: pg_wal_lsn_diff(position, restart_lsn).", "cluster", "slot", "node");
        SlotActive = factory.CreateGauge("pgha_slot_active", "1 when a WAL sender uses the slot, 0 when it is inactive.", "cluster", "slot", "node");
        WarningBytes = factory.CreateGauge("pgha_lag_warning_bytes", "The stack's byte lag warning threshold.", "cluster");
        CriticalBytes = factory.CreateGauge("pgha_lag_critical_bytes", "The stack's byte lag critical threshold.", "cluster");
        WarningSeconds = factory.CreateGauge("pgha_lag_warning_seconds", "The stack's time lag warning threshold.", "cluster");
        CriticalSeconds = factory.CreateGauge("pgha_lag_critical_seconds", "The stack's time lag critical threshold.", "cluster");
        Level = factory.CreateGauge("pgha_lag_level", "The cluster's overall lag level, as `pgha lag` exits: 0 ok, 1 warning, 2 critical, 3 unknown.", "cluster");
        NodeUp = factory.CreateGauge("pgha_node_up", "1 when the node answered the probe, else 0.", "cluster", "node");
        ScrapeSuccess = factory.CreateGauge("pgha_scrape_success", "1 when the probe behind this scrape reached every node, else 0.", "cluster");
        ArchiveFailing = factory.CreateGauge("pgha_archive_failing",
            "1 while the primary's last archive attempt failed (pg_stat_archiver: last_failed_time after last_archived_time), else 0.", "cluster", "node");
        ArchiveFailedCount = factory.CreateGauge("pgha_archive_failed_count", "pg_stat_archiver.failed_count on the primary: failed attempts since the statistics were reset.", "cluster", "node");
        ArchiveLastArchivedAge = factory.CreateGauge("pgha_archive_last_archived_age_seconds",
            "Seconds since the primary last archived a segment (absent before its first); an idle primary finishes no segment, so this alone is no fault.", "cluster", "node");
        ScrapeDuration = factory.CreateGauge("pgha_scrape_duration_seconds", "How long the probe behind this scrape took.", "cluster");
    }

    public CollectorRegistry Registry { get; }

    private Gauge LagBytes { get; }

    private Gauge BehindPrimaryBytes { get; }

    private Gauge LagSeconds { get; }

    private Gauge UpstreamLagSeconds { get; }

    private Gauge Streaming { get; }

    private Gauge ReplayPaused { get; }

    private Gauge ReplicaLevel { get; }

    private Gauge SlotRetainedBytes { get; }

    private Gauge SlotActive { get; }

    private Gauge WarningBytes { get; }

    private Gauge CriticalBytes { get; }

    private Gauge WarningSeconds { get; }

    private Gauge CriticalSeconds { get; }

    private Gauge Level { get; }

    private Gauge NodeUp { get; }

    private Gauge ScrapeSuccess { get; }

    private Gauge ScrapeDuration { get; }

    private Gauge ArchiveFailing { get; }

    private Gauge ArchiveFailedCount { get; }

    private Gauge ArchiveLastArchivedAge { get; }

    /// <summary>Sets every family from one report; called before each collection.</summary>
    public void Update(LagReport report)
    {
        var cluster = report.Cluster;
        var seen = new HashSet<(Gauge, string)>();
        void Set(Gauge gauge, double? value, params string[] labels)
        {
            if (value is { } v)
            {
                gauge.WithLabels(labels).Set(v);
                seen.Add((gauge, string.Join('\u0001', labels)));
            }
        }

        foreach (var r in report.Replicas)
        {
            string[] labels = [cluster, r.Replica, r.Upstream];
            Set(LagBytes, r.BehindUpstream.Sent, [.. labels, "sent"]);
            Set(LagBytes, r.BehindUpstream.Write, [.. labels, "write"]);
            Set(LagBytes, r.BehindUpstream.Flush, [.. labels, "flush"]);
            Set(LagBytes, r.BehindUpstream.Replay, [.. labels, "replay"]);
            Set(BehindPrimaryBytes, r.LagBytes, labels);
            Set(LagSeconds, r.JudgedTimeLag?.TotalSeconds, labels);
            Set(UpstreamLagSeconds, r.WriteLag?.TotalSeconds, [.. labels, "write"]);
            Set(UpstreamLagSeconds, r.FlushLag?.TotalSeconds, [.. labels, "flush"]);
            Set(UpstreamLagSeconds, r.ReplayLag?.TotalSeconds, [.. labels, "replay"]);
            Set(Streaming, r.Streaming is { } s ? (s ? 1 : 0) : null, labels);
            Set(ReplayPaused, r.ReplayPaused is { } p ? (p ? 1 : 0) : null, labels);
            Set(ReplicaLevel, (int)r.Level, labels);
        }

        foreach (var s in report.Slots)
        {
            Set(SlotRetainedBytes, s.RetainedBytes, cluster, s.Slot, s.Node);
            Set(SlotActive, s.Active ? 1 : 0, cluster, s.Slot, s.Node);
        }

        Set(WarningBytes, report.Thresholds.WarningBytes.Bytes, cluster);
        Set(CriticalBytes, report.Thresholds.CriticalBytes.Bytes, cluster);
        Set(WarningSeconds, report.Thresholds.WarningTime.TotalSeconds, cluster);
        Set(CriticalSeconds, report.Thresholds.CriticalTime.TotalSeconds, cluster);
        Set(Level, (int)report.Level, cluster);
        foreach (var n in report.Nodes)
        {
            Set(NodeUp, n.Reachable ? 1 : 0, cluster, n.Node);
        }

        Set(ScrapeSuccess, report.Nodes.All(n => n.Reachable) ? 1 : 0, cluster);
        Set(ScrapeDuration, report.ProbeElapsed.TotalSeconds, cluster);
        if (report.Archiving is { } archiving)
        {
            Set(ArchiveFailing, archiving.Failing ? 1 : 0, cluster, archiving.Node);
            Set(ArchiveFailedCount, archiving.FailedCount, cluster, archiving.Node);
            Set(ArchiveLastArchivedAge, archiving.LastArchivedAge?.TotalSeconds, cluster, archiving.Node);
        }

        // Series not set this time (a value that became unknown, a replica or slot that is gone) leave the exposition.
        Gauge[] all = [LagBytes, BehindPrimaryBytes, LagSeconds, UpstreamLagSeconds, Streaming, ReplayPaused, ReplicaLevel,
            SlotRetainedBytes, SlotActive, WarningBytes, CriticalBytes, WarningSeconds, CriticalSeconds, Level, NodeUp, ScrapeSuccess, ScrapeDuration,
            ArchiveFailing, ArchiveFailedCount, ArchiveLastArchivedAge];
        foreach (var gauge in all)
        {
            foreach (var labels in gauge.GetAllLabelValues().ToList())
            {
                if (!seen.Contains((gauge, string.Join('\u0001', labels))))
                {
                    gauge.RemoveLabelled(labels);
                }
            }
        }
    }

    /// <summary>Marks a scrape whose probe failed outright (not a node that failed: that is in the report).</summary>
    public void Failed(string cluster)
    {
        ScrapeSuccess.WithLabels(cluster).Set(0);
        Level.WithLabels(cluster).Set((int)LagLevel.Unknown);
    }
}

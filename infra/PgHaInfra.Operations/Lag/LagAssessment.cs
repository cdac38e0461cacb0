using System.Collections.Immutable;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;
using PgHaInfra.Operations.Replication;

namespace PgHaInfra.Operations.Lag;

/// <summary>
/// Judges one probe of a cluster against the stack's lag thresholds. Pure: the same observations and spec always give
/// the same report. Every replica and slot gets a level and a one-sentence reason, decided by a chain of checks with
/// early returns (unreadable, not a standby, not streaming, then the byte and time lag).
/// </summary>
public static class LagAssessment
{
    public static LagReport Assess(ClusterSpec spec, ClusterObservation observation)
    {
        var primary = observation.Node(spec.Primary);
        var problems = new List<(LagLevel Level, string Reason)>();
        Lsn? primaryLsn = null;
        if (!primary.Reachable)
        {
            problems.Add((LagLevel.Unknown, $"the primary {spec.Primary} did not answer ({primary.Error}), so no lag can be measured against it"));
        }
        else if (primary.InRecovery)
        {
            problems.Add((LagLevel.Critical, $"{spec.Primary}, the primary in the stack, is in recovery, so the cluster has no primary to measure lag against"));
        }
        else
        {
            primaryLsn = primary.CurrentLsn;
        }

        var replicas = spec.Replicas.Select(r => AssessReplica(spec, r, observation, primaryLsn)).ToImmutableArray();
        var slots = spec.Nodes
            .Select(n => observation.Node(n.Name))
            .Where(n => n.Reachable)
            .SelectMany(n => n.Slots.Select(s => AssessSlot(spec, n.Node, s)))
            .ToImmutableArray();
        var nodes = spec.Nodes.Select(n => observation.Node(n.Name))
            .Select(n => new ProbedNode(n.Node, n.Reachable, !n.Reachable ? "unreachable" : n.InRecovery ? "replica" : "primary", n.Error, n.Elapsed))
            .ToImmutableArray();

        var archiving = ArchiveAssessment.Assess(spec, primary);
        var findings = problems
            .Concat(replicas.Select(r => (r.Level, r.Reason)))
            .Concat(slots.Select(s => (s.Level, s.Reason)))
            .Concat(archiving is { Level: not LagLevel.Ok } a ? [(Level: a.Level, Reason: a.Reason)] : Array.Empty<(LagLevel Level, string Reason)>())
            .ToList();
        var level = LagLevels.Worst(findings.Select(f => f.Level));
        return new LagReport
        {
            Cluster = spec.Name,
            Stack = spec.Stack,
            Primary = spec.Primary,
            PrimaryLsn = primaryLsn,
            Thresholds = spec.Lag,
            ObservedAt = observation.ObservedAt,
            ProbeElapsed = observation.Elapsed,
            Level = level,
            Reason = OverallReason(spec, level, findings),
            ClusterProblems = [.. problems.Select(p => p.Reason)],
            Nodes = nodes,
            Replicas = replicas,
            Slots = slots,
            Archiving = archiving,
        };
    }

    /// <summary>The level a value reaches: above the critical threshold is critical, above the warning one a warning.</summary>
    public static LagLevel Classify(long value, long warning, long critical) =>
        value > critical ? LagLevel.Critical : value > warning ? LagLevel.Warning : LagLevel.Ok;

    private static string OverallReason(ClusterSpec spec, LagLevel level, List<(LagLevel Level, string Reason)> findings)
    {
        if (level == LagLevel.Ok)
        {
            return spec.ReplicaCount == 0
                ? $"{spec.Name} has no replicas, and no slot retains WAL beyond the thresholds"
                : $"all {spec.ReplicaCount} replica(s) of {spec.Name} stream within the lag thresholds";
        }

        var worst = findings.Where(f => f.Level == level).ToList();
        var others = findings.Count(f => f.Level != LagLevel.Ok) - 1;
        return others > 0 ? $"{worst[0].Reason} (and {others} more problem(s))" : worst[0].Reason;
    }

    private static ReplicaLag AssessReplica(ClusterSpec spec, NodeSpec node, ClusterObservation observation, Lsn? primaryLsn)
    {
        var thresholds = spec.Lag;
        var upstreamNode = spec.UpstreamOf(node)!;
        var replica = observation.Node(node.Name);
        var upstream = observation.Node(upstreamNode.Name);
        var cascading = upstreamNode.Name != spec.Primary;

        // Replicas are identified by application_name (= node name); a streaming row wins over a leftover one.
        var sender = upstream.Reachable ? upstream.SenderFor(node.Name) : null;
        var upstreamView = upstream.Reachable ? sender?.State ?? "absent" : null;
        var replicaView = replica.Reachable ? replica.WalReceiver?.Status ?? "none" : null;
        var streaming = (upstreamView, replicaView) switch
        {
            (null, null) => (bool?)null,
            (null, var r) => r == "streaming",
            (var u, null) => u == "streaming",
            (var u, var r) => u == "streaming" && r == "streaming",
        };

        // Byte lag against the primary: from the replica's own LSNs, or from what its upstream last heard from it.
        long? receiveBehind = null;
        long? replayBehind = null;
        if (primaryLsn is { } p)
        {
            if (replica.Reachable && replica.InRecovery)
            {
                receiveBehind = (replica.ReceiveLsn ?? replica.ReplayLsn) is { } received ? p.BytesAhead(received) : null;
                replayBehind = replica.ReplayLsn is { } replayed ? p.BytesAhead(replayed) : null;
            }
            else if (!replica.Reachable && sender is not null)
            {
                receiveBehind = sender.FlushLsn is { } flushed ? p.BytesAhead(flushed) : null;
                replayBehind = sender.ReplayLsn is { } replayed ? p.BytesAhead(replayed) : null;
            }
        }

        // A delayed replica is meant to replay late; what must stay prompt is that it receives the WAL.
        var lagBytes = node.IsDelayed ? receiveBehind : replayBehind;
        var timeLag = TimeLag(replica, sender, replayBehind);
        var judgedTime = timeLag is { } t && node.ApplyDelay is { } delay && node.IsDelayed
            ? (t > delay ? t - delay : TimeSpan.Zero)
            : timeLag;

        var lag = new ReplicaLag
        {
            Replica = node.Name,
            Upstream = upstreamNode.Name,
            Cascading = cascading,
            ApplyDelay = node.IsDelayed ? node.ApplyDelay : null,
            Level = LagLevel.Unknown,
            Reason = "",
            Streaming = streaming,
            State = sender?.State,
            SyncState = sender?.SyncState,
            ReceiverStatus = replicaView,
            ReplayPaused = replica.Reachable ? replica.ReplayPaused : null,
            ReceiveLsn = replica.Reachable ? replica.ReceiveLsn : sender?.FlushLsn,
            ReplayLsn = replica.Reachable ? replica.ReplayLsn : sender?.ReplayLsn,
            BehindUpstream = sender is null ? StageBytes.None : new StageBytes(sender.SentBytes, sender.WriteBytes, sender.FlushBytes, sender.ReplayBytes),
            WriteLag = sender?.WriteLag,
            FlushLag = sender?.FlushLag,
            ReplayLag = sender?.ReplayLag,
            ReceiveBytesBehindPrimary = receiveBehind,
            ReplayBytesBehindPrimary = replayBehind,
            LagBytes = lagBytes,
            TimeLag = timeLag,
            JudgedTimeLag = judgedTime,
        };

        var (level, reason) = Judge(spec, node, upstreamNode.Name, replica, upstream, lag, thresholds);
        return lag with { Level = level, Reason = reason };
    }

    /// <summary>
    /// Time lag, decided from both sides, because each side alone misleads (docs/shared notes, measured here):
    /// <list type="bullet">
    /// <item>A replica that has replayed everything the primary wrote is 0 s behind, whatever the upstream's replay_lag
    /// (it stays stale, then goes NULL, on an idle standby) or the age of the last replayed commit (hours on an idle
    /// primary) say.</item>
    /// <item>Otherwise the upstream's replay_lag, PostgreSQL's own measure from WAL flush times: it grows with wall time
    /// while replay is stuck under writes, and stays right during a long transaction that commits nothing. It does not
    /// move while replay is paused after a single write, so for a paused replica the apply lag counts too.</item>
    /// <item>Without it (NULL, or no streaming row), the replica's apply lag: the age of the last replayed commit while
    /// received WAL waits to be replayed, 0 when it has replayed all it received. It overstates after an idle period
    /// (the last commit is old), which is why it is only the fallback.</item>
    /// </list>
    /// </summary>
    internal static TimeSpan? TimeLag(NodeObservation replica, WalSenderObservation? sender, long? replayBehind)
    {
        if (replayBehind == 0)
        {
            return TimeSpan.Zero;
        }

        TimeSpan? applyLag = null;
        if (replica.Reachable && replica.InRecovery)
        {
            var waiting = replica.ReceiveLsn is { } received && replica.ReplayLsn is { } replayed && received > replayed;
            applyLag = waiting ? replica.SinceLastReplayedCommit : TimeSpan.Zero;
        }

        if (sender is { IsStreaming: true, ReplayLag: { } replayLag })
        {
            // replay_lag only moves when replay does: with replay paused after a single write it stays at its old,
            // small value, so a paused replica with WAL waiting is judged by its apply lag as well.
            return replica.ReplayPaused == true && applyLag is { } stuck && stuck > replayLag ? stuck : replayLag;
        }

        return applyLag;
    }

    private static (LagLevel Level, string Reason) Judge(
        ClusterSpec spec, NodeSpec node, string upstreamName, NodeObservation replica, NodeObservation upstream, ReplicaLag lag, LagThresholds thresholds)
    {
        var name = node.Name;
        if (!replica.Reachable && !upstream.Reachable)
        {
            return (LagLevel.Unknown, $"neither {name} nor its upstream {upstreamName} answered ({replica.Error})");
        }

        if (replica.Reachable && !replica.InRecovery)
        {
            return (LagLevel.Critical, $"{name} is not in recovery: it runs as a primary beside {spec.Primary} instead of streaming from {upstreamName}");
        }

        var catchingUp = lag.State == "catchup";
        if (lag.Streaming != true && !catchingUp)
        {
            var upstreamSays = !upstream.Reachable ? $"its upstream {upstreamName} did not answer"
                : lag.State is null ? $"{upstreamName} has no WAL sender for it"
                : $"its WAL sender on {upstreamName} is in state {lag.State}";
            var replicaSays = !replica.Reachable ? $"{name} did not answer ({replica.Error})"
                : lag.ReceiverStatus == "none" ? $"{name} has no WAL receiver"
                : $"its WAL receiver is {lag.ReceiverStatus}";
            var behind = lag.LagBytes is { } b ? $", {SizeText.Bytes(b)} behind the primary" : "";
            return (LagLevel.Critical, $"{name} is not streaming: {upstreamSays}, and {replicaSays}{behind}");
        }

        var byteLevel = lag.LagBytes is { } bytes ? Classify(bytes, thresholds.WarningBytes.Bytes, thresholds.CriticalBytes.Bytes) : (LagLevel?)null;
        var timeLevel = lag.JudgedTimeLag is { } time
            ? Classify(time.Ticks, thresholds.WarningTime.Ticks, thresholds.CriticalTime.Ticks)
            : (LagLevel?)null;
        var level = LagLevels.Worst(byteLevel ?? LagLevel.Ok, timeLevel ?? LagLevel.Ok);
        if (catchingUp)
        {
            level = LagLevels.Worst(level, LagLevel.Warning);
        }

        var attribution = Attribution(node, upstreamName, lag);
        var paused = lag.ReplayPaused == true ? ", with replay paused" : "";
        if (level == LagLevel.Ok && (byteLevel is null || timeLevel is null))
        {
            var missing = byteLevel is null && timeLevel is null ? "neither its byte nor its time lag"
                : byteLevel is null ? "its byte lag" : "its time lag";
            var why = !replica.Reachable ? $"{name} did not answer ({replica.Error})" : "the primary could not be read";
            return (LagLevel.Unknown, $"{missing} could be measured for {name}: {why}");
        }

        if (level == LagLevel.Ok)
        {
            return (level, $"{name} streams from {upstreamName}, {SizeText.Bytes(lag.LagBytes)} and {SizeText.Seconds(lag.JudgedTimeLag)} behind the primary{DelayNote(node)}{attribution}{paused}");
        }

        var parts = new List<string>();
        if (byteLevel == level)
        {
            var threshold = level == LagLevel.Critical ? thresholds.CriticalBytes : thresholds.WarningBytes;
            var what = node.IsDelayed ? "received" : "replayed";
            parts.Add($"{SizeText.Bytes(lag.LagBytes)} behind the primary in WAL {what} (over the {level.Name()} level of {SizeText.Bytes(threshold.Bytes)})");
        }

        if (timeLevel == level)
        {
            var threshold = level == LagLevel.Critical ? thresholds.CriticalTime : thresholds.WarningTime;
            var beyond = node.IsDelayed ? $", {SizeText.Seconds(lag.JudgedTimeLag)} beyond its {SizeText.Seconds(node.ApplyDelay)} apply delay" : "";
            parts.Add($"{SizeText.Seconds(lag.TimeLag)} behind in time{beyond} (over the {level.Name()} level of {SizeText.Seconds(threshold)})");
        }

        if (parts.Count == 0)
        {
            parts.Add($"catching up with {upstreamName} (its WAL sender is in state catchup), {SizeText.Bytes(lag.LagBytes)} behind the primary");
        }

        return (level, $"{name} is {string.Join(" and ", parts)}{attribution}{paused}");
    }

    private static string DelayNote(NodeSpec node) =>
        node.IsDelayed ? $" beyond its {SizeText.Seconds(node.ApplyDelay)} apply delay" : "";

    /// <summary>For a cascading replica, how much of its lag lies between it and its own upstream.</summary>
    private static string Attribution(NodeSpec node, string upstreamName, ReplicaLag lag)
    {
        if (!lag.Cascading)
        {
            return "";
        }

        var behindUpstream = node.IsDelayed ? lag.BehindUpstream.Flush : lag.BehindUpstream.Replay;
        return behindUpstream is { } b ? $" ({SizeText.Bytes(b)} of it behind its upstream {upstreamName})" : $" (its upstream {upstreamName} could not say how far behind it is)";
    }

    private static SlotRetention AssessSlot(ClusterSpec spec, string node, SlotObservation slot)
    {
        var owner = spec.Replicas.FirstOrDefault(r => r.SlotName == slot.SlotName && spec.UpstreamOf(r)?.Name == node)?.Name;
        var forWhom = owner is null ? "for no replica of the stack" : $"for {owner}";
        var retained = slot.RetainedBytes ?? 0;
        var thresholds = spec.Lag;
        var level = Classify(retained, thresholds.WarningBytes.Bytes, thresholds.CriticalBytes.Bytes);
        string reason;
        if (slot.WalStatus == "lost")
        {
            level = LagLevel.Critical;
            reason = $"slot {slot.SlotName} on {node} {forWhom} has lost WAL its replica still needed (wal_status lost): the replica must be rebuilt";
        }
        else
        {
            var state = slot.Active ? "active" : "inactive";
            var over = level == LagLevel.Ok ? "" : $", over the {level.Name()} level of {SizeText.Bytes((level == LagLevel.Critical ? thresholds.CriticalBytes : thresholds.WarningBytes).Bytes)}";
            var consequence = slot.Active ? "" : ": nobody consumes it, so the WAL it holds grows until the replica returns or the slot is dropped";
            if (slot.WalStatus == "unreserved")
            {
                level = LagLevels.Worst(level, LagLevel.Warning);
                consequence += " (wal_status unreserved: it is about to lose WAL)";
            }

            reason = slot.RestartLsn is null
                ? $"slot {slot.SlotName} on {node} {forWhom} is {state} and reserves no WAL"
                : $"slot {slot.SlotName} on {node} {forWhom} is {state} and retains {SizeText.Bytes(retained)} of WAL{over}{consequence}";
        }

        return new SlotRetention
        {
            Node = node,
            Slot = slot.SlotName,
            Replica = owner,
            Active = slot.Active,
            WalStatus = slot.WalStatus,
            RestartLsn = slot.RestartLsn,
            RetainedBytes = slot.RetainedBytes,
            Level = level,
            Reason = reason,
        };
    }
}

using System.Collections.Immutable;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// The safety checks before a promotion, as pure functions of the spec and one observation. Checks that protect
/// data or guard against two primaries are named so; --force overrides only the ones marked forceable.
/// </summary>
public static class Preconditions
{
    /// <summary>Below this much received-but-unreplayed WAL, a replica is not lagging in time, whatever its last commit's age.</summary>
    public const long TimeLagFloorBytes = 64 * 1024;

    /// <summary>The target is a reachable standby that streams, is not paused, and is not lagging.</summary>
    public static ImmutableArray<PreconditionCheck> ForTarget(ClusterSpec spec, ClusterObservation observation, NodeSpec target, Lsn reference, bool requireStreaming, bool force)
    {
        var seen = observation[target.Name];
        var checks = ImmutableArray.CreateBuilder<PreconditionCheck>();
        if (!seen.Reachable)
        {
            checks.Add(PreconditionCheck.Fail("target reachable", $"{target.Name} does not answer: {seen.Error}", force, forceable: false));
            return checks.ToImmutable();
        }

        checks.Add(seen.InRecovery
            ? PreconditionCheck.Pass("target is a standby", $"{target.Name} is in recovery")
            : PreconditionCheck.Fail("target is a standby", $"{target.Name} is not in recovery: it already accepts writes", force, forceable: false));

        if (requireStreaming)
        {
            var upstream = spec.UpstreamOf(target)?.Name ?? "?";
            var row = observation.ReplicationOf(upstream, target.Name);
            var streaming = seen.ReceiverStatus == "streaming" && row?.State == "streaming";
            checks.Add(streaming
                ? PreconditionCheck.Pass("target streaming", $"{target.Name} streams from {upstream} (wal receiver {seen.ReceiverStatus}, {upstream} reports {row!.State})")
                : PreconditionCheck.Fail("target streaming", $"{target.Name} is not streaming from {upstream}: its wal receiver is {seen.ReceiverStatus ?? "absent"}, {upstream} reports {row?.State ?? "no walsender for it"}", force));
        }

        checks.Add(seen.ReplayPaused
            ? PreconditionCheck.Fail("replay not paused", $"replay is paused on {target.Name}; run pg_wal_replay_resume() there first", force)
            : PreconditionCheck.Pass("replay not paused", $"{target.Name} is replaying"));

        checks.Add(target.IsDelayed
            ? PreconditionCheck.Fail("not a delayed replica", $"{target.Name} applies WAL {DurationText.ToPostgres(target.ApplyDelay!.Value)} late (recovery_min_apply_delay); promoting it waits for or loses that window", force)
            : PreconditionCheck.Pass("not a delayed replica", $"{target.Name} has no apply delay"));

        if (!target.IsDelayed)
        {
            checks.Add(Lag(spec, seen, target, reference, force));
        }

        return checks.ToImmutable();
    }

    /// <summary>Byte lag behind <paramref name="reference"/> and time lag, against the stack's warning thresholds.</summary>
    public static PreconditionCheck Lag(ClusterSpec spec, NodeObservation seen, NodeSpec target, Lsn reference, bool force)
    {
        var bytes = reference.BytesAhead(seen.ReplayLsn ?? Lsn.Zero);
        var unreplayed = (seen.ReceiveLsn ?? Lsn.Zero).BytesAhead(seen.ReplayLsn ?? Lsn.Zero);
        // now() - pg_last_xact_replay_timestamp() dates from the last replayed commit. On a quiet primary the only
        // WAL in flight is checkpoints and running-xacts records, so for the moment they are being replayed it can
        // read minutes (gotcha 10). Time lag counts once more than a trickle of WAL is waiting to be replayed.
        var age = unreplayed > TimeLagFloorBytes ? seen.ReplayAge ?? TimeSpan.Zero : TimeSpan.Zero;
        var detail = $"{target.Name} replayed {seen.ReplayLsn?.ToString() ?? "nothing"}, {bytes} bytes behind {reference}, {age.TotalSeconds:0.0} s behind in time";
        var lagging = bytes > spec.Lag.WarningBytes.Bytes || age > spec.Lag.WarningTime;
        return lagging
            ? PreconditionCheck.Fail("lag under threshold", $"{detail}; the stack allows {spec.Lag.WarningBytes} / {DurationText.ToPostgres(spec.Lag.WarningTime)}", force)
            : PreconditionCheck.Pass("lag under threshold", $"{detail} (limit {spec.Lag.WarningBytes} / {DurationText.ToPostgres(spec.Lag.WarningTime)})");
    }

    public static string Summary(IEnumerable<PreconditionCheck> checks)
    {
        var blocking = checks.Where(c => c.Blocks).ToList();
        return blocking.Count == 0 ? "all checks passed" : string.Join("; ", blocking.Select(c => $"{c.Name}: {c.Detail}"));
    }
}

using System.Collections.Immutable;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;
using PgHaInfra.Operations.Replication;

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
        var seen = observation.Node(target.Name);
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

        checks.Add(seen.ReplayPaused == true
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

    /// <summary>A WAL receiver that heard from its upstream this recently is evidence the upstream is alive (wal_receiver_timeout's default).</summary>
    public static readonly TimeSpan RecentContact = TimeSpan.FromSeconds(60);

    /// <summary>
    /// "The old primary is gone", decided carefully: only a connection-level failure counts (a server that answers with
    /// an error, such as too many clients, is alive), and no replica of it may still hear from it. Both are forceable:
    /// --force fences it first.
    /// </summary>
    public static ImmutableArray<PreconditionCheck> OldPrimaryGone(ClusterSpec spec, ClusterObservation observation, bool force)
    {
        var name = spec.Primary;
        var old = observation.Node(name);
        var gone = old switch
        {
            { IsWritablePrimary: true } => PreconditionCheck.Fail("old primary gone", $"{name} still accepts writes at {old.CurrentLsn}; use `pgha switchover`, or --force to fence it first", force),
            { Reachable: true } => PreconditionCheck.Pass("old primary gone", $"{name} answers but is in recovery"),
            { IsGone: true } => PreconditionCheck.Pass("old primary gone", $"{name} does not accept connections ({old.Error})"),
            _ => PreconditionCheck.Fail("old primary gone",
                $"{name} answers but refuses the connection ({old.Error}): a server that answers is alive, not gone, and fencing it would stop a working primary; " +
                "wait for it, or --force to fence it anyway", force),
        };

        var hearing = spec.DownstreamsOf(spec.Node(name))
            .Select(d => (d.Name, Seen: observation.Node(d.Name)))
            .Where(d => d.Seen is { Reachable: true, ReceiverStatus: "streaming", ReceiverContactAge: { } age } && age < RecentContact)
            .Select(d => $"{d.Name} ({d.Seen.ReceiverContactAge!.Value.TotalSeconds:0.0} s ago)")
            .ToList();
        var contact = hearing.Count == 0
            ? PreconditionCheck.Pass("no replica hears from it", $"no WAL receiver of {name}'s replicas streams from it")
            : PreconditionCheck.Fail("no replica hears from it",
                $"the WAL receivers of {string.Join(", ", hearing)} still stream from {name}: it is alive for them, so pgha may only have lost its own way to it; --force to fail over anyway", force);
        return [gone, contact];
    }

    /// <summary>
    /// One primary, always: no node but <paramref name="exempt"/> (the target, and the old primary, which its own check
    /// covers) accepts writes. Never forceable: a second writable node is split brain already.
    /// </summary>
    public static PreconditionCheck OnePrimary(ClusterSpec spec, ClusterObservation observation, params string[] exempt)
    {
        var writable = spec.Nodes.Where(n => !exempt.Contains(n.Name) && observation.Node(n.Name).IsWritablePrimary).Select(n => n.Name).ToList();
        return writable.Count == 0
            ? PreconditionCheck.Pass("one primary", "no other node accepts writes")
            : PreconditionCheck.Fail("one primary",
                $"{string.Join(", ", writable)} already accept{(writable.Count == 1 ? "s" : "")} writes (a promotion that was never recorded?); promoting another node would make a second primary. " +
                $"Adopt it as the recorded primary with `pgha failover --adopt {writable[0]}`", force: true, forceable: false);
    }

    public static string Summary(IEnumerable<PreconditionCheck> checks)
    {
        var blocking = checks.Where(c => c.Blocks).ToList();
        return blocking.Count == 0 ? "all checks passed" : string.Join("; ", blocking.Select(c => $"{c.Name}: {c.Detail}"));
    }
}

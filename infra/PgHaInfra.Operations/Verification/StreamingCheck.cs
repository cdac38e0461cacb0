using System.Collections.Immutable;
using System.Globalization;
using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Replication;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Verification;

/// <summary>
/// The post-deploy check, engine-agnostic: `pgha verify`, the last step of `pgha up`, and the Pulumi program's
/// check after a deployment. For every replica it asks both ends, because `state = streaming` alone is not proof
/// (pg_basebackup's own walsender shows it; a diverged standby shows it for a moment every few seconds):
/// <list type="bullet">
/// <item>replication: its upstream's pg_stat_replication has it, by application_name, streaming;</item>
/// <item>sync_state: as its topology implies (async, sync, quorum, potential);</item>
/// <item>wal_receiver: its pg_stat_wal_receiver streams from the expected upstream host:port on its slot;</item>
/// <item>canary: a row written on the primary becomes visible on it (delayed replicas: wal_received, WAL up to
/// the canary's LSN arrived, since they apply late on purpose);</item>
/// <item>lag: bytes and time under the stack's critical thresholds (a delayed replica is allowed its delay).</item>
/// </list>
/// Everything is polled every 20 ms until it passes or the deadline expires; the last observation is reported.
/// </summary>
public static class StreamingCheck
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static async Task<VerificationReport> RunAsync(ClusterAccess access, StreamingCheckOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(options);
        var spec = access.Spec;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Deadline);

        // Each replica's first connection (TCP and SCRAM) opens while the primary commits the canary, not after it.
        var connecting = spec.Replicas.Select(r => Task.Run(() => ConnectAsync(access.DataSource(r.Name), deadline.Token), deadline.Token)).ToList();
        var mark = await CheckPrimaryAsync(access, options, deadline.Token, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(connecting).ConfigureAwait(false);

        var replicas = await Task.WhenAll(spec.Replicas.Select(r => CheckReplicaAsync(access, r, mark, deadline.Token, cancellationToken))).ConfigureAwait(false);
        return new VerificationReport([mark.Role, .. replicas.SelectMany(r => r)]);
    }

    /// <summary>Opens one connection and returns it to the pool. A failure is left for the observations to report.</summary>
    private static async Task ConnectAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            // Reported by the replica's checks, which connect again and say what they saw.
        }
    }

    private static async Task<PrimaryMark> CheckPrimaryAsync(ClusterAccess access, StreamingCheckOptions options, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var primary = access.Spec.Primary;
        const string Expected = "primary (pg_is_in_recovery() = false)";
        var observed = "not reached";
        var token = options.WriteCanary ? $"{DateTime.UtcNow:yyyyMMddTHHmmss.fff}-{Guid.NewGuid():N}" : null;
        while (true)
        {
            try
            {
                await using var connection = await access.DataSource(primary).OpenConnectionAsync(deadline).ConfigureAwait(false);
                bool inRecovery;
                await using (var command = new NpgsqlCommand("SELECT pg_catalog.pg_is_in_recovery()", connection))
                {
                    inRecovery = (bool)(await command.ExecuteScalarAsync(deadline).ConfigureAwait(false))!;
                }

                if (inRecovery)
                {
                    observed = "in recovery (a replica)";
                    return new PrimaryMark(new CheckResult(primary, "role", false, observed, Expected), null, null);
                }

                if (token is not null)
                {
                    await WriteCanaryAsync(connection, token, deadline).ConfigureAwait(false);
                }

                await using var lsn = new NpgsqlCommand("SELECT pg_catalog.pg_current_wal_lsn()::text", connection);
                var current = (string)(await lsn.ExecuteScalarAsync(deadline).ConfigureAwait(false))!;
                return new PrimaryMark(new CheckResult(primary, "role", true, "primary (not in recovery)", Expected), token, current);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return new PrimaryMark(new CheckResult(primary, "role", false, observed, Expected), null, null);
            }
            catch (NpgsqlException e)
            {
                observed = $"error: {e.Message}";
                try
                {
                    await Task.Delay(PollInterval, deadline).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return new PrimaryMark(new CheckResult(primary, "role", false, observed, Expected), null, null);
                }
            }
        }
    }

    /// <summary>
    /// One row in pgha.canary, committed with synchronous_commit = local: the check must not hang on a sync
    /// standby that is down; it reports that standby instead. Old rows are pruned so the table stays tiny.
    /// </summary>
    private static async Task WriteCanaryAsync(NpgsqlConnection connection, string token, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new("SET LOCAL synchronous_commit = local"));

        // Bootstrap made the table; a cluster bootstrapped without it gets it here.
        foreach (var statement in BootstrapSql.CanaryTable)
        {
            batch.BatchCommands.Add(new(statement));
        }

        batch.BatchCommands.Add(new("DELETE FROM pgha.canary WHERE written_at < now() - interval '10 minutes'"));
        batch.BatchCommands.Add(new("INSERT INTO pgha.canary (token) VALUES ($1)") { Parameters = { new NpgsqlParameter { Value = token } } });
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The latest view of one replica from both ends, judged from one probe of the replica, its upstream and the primary.</summary>
    /// <param name="Sender">The upstream's pg_stat_replication row for the replica.</param>
    /// <param name="ReachedMark">Replayed (a delayed replica: received) up to the primary's LSN after the canary.</param>
    /// <param name="LagBytes">From the primary's current position to what the replica replayed (a delayed replica: received).</param>
    private sealed record ReplicaView(
        NodeObservation Replica,
        WalSenderObservation? Sender,
        string? UpstreamError,
        string? ReplicaError,
        bool CanarySeen,
        bool ReachedMark,
        long? LagBytes,
        TimeSpan? LagTime)
    {
        public static ReplicaView NotReached(string replica) =>
            new(NodeObservation.Unreachable(replica, "not reached"), null, "not reached", "not reached", false, false, null, null);

        /// <summary>Pure: the view of <paramref name="replica"/> in <paramref name="observation"/>.</summary>
        /// <param name="canaryError">Why the canary could not be read on the replica, if it could not.</param>
        public static ReplicaView Of(ClusterObservation observation, string primary, NodeSpec replica, NodeSpec upstream, PrimaryMark mark,
            bool canarySeen, string? canaryError)
        {
            var seen = observation.Node(replica.Name);
            var source = observation.Node(upstream.Name);
            var replicaError = seen.Error is { } e ? $"{replica.Name} did not answer: {e}" : canaryError;
            var markLsn = Lsn.TryParse(mark.Lsn, out var parsed) ? parsed : (Lsn?)null;
            var reached = markLsn is { } m && (replica.IsDelayed ? seen.WalReceiver?.FlushedLsn : seen.ReplayLsn) is { } at && at >= m;
            // Time lag from both sides: caught up (received = replayed) is 0, whatever a stale replay_lag says; otherwise
            // the upstream's replay_lag, and only without it the age of the last replayed transaction (idle clusters
            // make that age large without any lag).
            var sender = source.SenderFor(replica.Name);
            TimeSpan? lagTime = !seen.Reachable ? null
                : seen.ReceiveLsn == seen.ReplayLsn ? TimeSpan.Zero
                : sender?.ReplayLag ?? (seen.SinceLastReplayedCommit is { } age && age > TimeSpan.Zero ? age : TimeSpan.Zero);
            var head = observation.Node(primary) is { IsWritablePrimary: true } p ? p.CurrentLsn : null;
            long? lagBytes = replicaError is null && head is { } h && (replica.IsDelayed ? seen.ReceiveLsn : seen.ReplayLsn) is { } behind ? h.BytesAhead(behind) : null;
            return new ReplicaView(seen, sender, source.Error is { } u ? $"{upstream.Name} did not answer: {u}" : null, replicaError,
                canarySeen, seen.Reachable && reached, lagBytes, lagTime);
        }
    }

    private static async Task<ImmutableArray<CheckResult>> CheckReplicaAsync(ClusterAccess access, NodeSpec replica, PrimaryMark mark, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var spec = access.Spec;
        var upstream = spec.UpstreamOf(replica)!;
        var expectedSync = ExpectedSyncState.For(spec, replica);
        var expectedSenders = ExpectedSenders(access, upstream);
        var useCanary = mark.CanaryToken is not null && !replica.IsDelayed;
        var view = ReplicaView.NotReached(replica.Name);
        var lagLimit = spec.Lag.CriticalTime + (replica.ApplyDelay ?? TimeSpan.Zero);

        bool AllPass(ReplicaView v) =>
            v.Sender?.State == "streaming" && v.Sender.SyncState == expectedSync && ReceiverOk(v) && ProgressOk(v) && LagOk(v);
        bool ReceiverOk(ReplicaView v) =>
            v.Replica is { ReceiverStatus: "streaming", WalReceiver: { } r } && r.SlotName == replica.SlotName && expectedSenders.Contains((r.SenderHost ?? "", r.SenderPort ?? 0));
        bool ProgressOk(ReplicaView v) => useCanary ? v.CanarySeen : v.ReachedMark;
        bool LagOk(ReplicaView v) => v.LagBytes is { } b && b <= spec.Lag.CriticalBytes.Bytes && v.LagTime is { } t && t <= lagLimit;

        while (true)
        {
            try
            {
                view = await ObserveAsync(access, replica, upstream, mark, useCanary, deadline).ConfigureAwait(false);
                if (AllPass(view))
                {
                    break;
                }

                // After its upstream changed, a delayed replica waits out its delay before it asks for WAL (note 17).
                if (replica.IsDelayed && view.Replica.ReceiverStatus != "streaming"
                    && await Failover.DelayWait.ObserveAsync(access, replica, upstream.Name, deadline).ConfigureAwait(false) is { Waiting: true } waiting)
                {
                    return [new CheckResult(replica.Name, "delay_wait", true, waiting.Sentence,
                        $"streaming from {upstream.Name}, or re-pointed to it and waiting out its apply delay with its slot keeping WAL")];
                }

                await Task.Delay(PollInterval, deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        var name = replica.Name;
        var results = ImmutableArray.CreateBuilder<CheckResult>();
        var sender = view.Sender;
        var receiver = view.Replica.WalReceiver;
        results.Add(new CheckResult(name, "replication", sender?.State == "streaming",
            view.UpstreamError ?? (sender is null ? $"no walsender for application_name {name} on {upstream.Name}" : $"state {sender.State} on {upstream.Name}"),
            $"state streaming in {upstream.Name}'s pg_stat_replication"));
        results.Add(new CheckResult(name, "sync_state", sender is not null && sender.SyncState == expectedSync,
            sender?.SyncState ?? view.UpstreamError ?? "no sync_state (not connected)", expectedSync));
        results.Add(new CheckResult(name, "wal_receiver", ReceiverOk(view),
            view.ReplicaError ?? (receiver is null
                ? "no WAL receiver running"
                : $"{receiver.Status} from {receiver.SenderHost}:{receiver.SenderPort} on slot {receiver.SlotName ?? "(none)"}"),
            $"streaming from {string.Join(" or ", expectedSenders.Select(s => $"{s.Host}:{s.Port}"))} on slot {replica.SlotName}"));
        if (useCanary)
        {
            results.Add(new CheckResult(name, "canary", view.CanarySeen,
                view.CanarySeen ? "canary row visible" : view.ReplicaError ?? $"canary row not visible (replayed up to {view.Replica.ReplayLsn?.ToString() ?? "?"})",
                "the canary row written on the primary is visible"));
        }
        else
        {
            var check = replica.IsDelayed ? "wal_received" : "replay";
            results.Add(new CheckResult(name, check, view.ReachedMark,
                view.ReplicaError ?? (replica.IsDelayed ? $"received up to {receiver?.FlushedLsn?.ToString() ?? "?"}" : $"replayed up to {view.Replica.ReplayLsn?.ToString() ?? "?"}"),
                $"{(replica.IsDelayed ? "received" : "replayed")} up to the primary's LSN {mark.Lsn ?? "?"}"));
        }

        results.Add(new CheckResult(name, "lag", LagOk(view),
            view.LagBytes is { } bytes && view.LagTime is { } time
                ? $"{bytes} bytes, {time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s"
                : view.ReplicaError ?? "unknown",
            $"at most {spec.Lag.CriticalBytes} and {DurationText.ToPostgres(lagLimit)}"));
        return results.ToImmutable();
    }

    /// <summary>The addresses a replica may name as its sender: as pgha reaches the upstream, and as the nodes address each other.</summary>
    private static ImmutableArray<(string Host, int Port)> ExpectedSenders(ClusterAccess access, NodeSpec upstream)
    {
        var direct = access.AddressOf(upstream.Name);
        var peer = access.PeerAddressOf(upstream.Name);
        return [(direct.Host, direct.Port), (peer.Host, peer.Port)];
    }

    /// <summary>One probe of the replica, its upstream and the primary, and the canary query on the replica.</summary>
    private static async Task<ReplicaView> ObserveAsync(ClusterAccess access, NodeSpec replica, NodeSpec upstream, PrimaryMark mark, bool useCanary, CancellationToken cancellationToken)
    {
        var primary = access.Spec.Primary;
        var observation = await ReplicationProbe.ObserveAsync(access.DataSource, [replica.Name, upstream.Name, primary], cancellationToken).ConfigureAwait(false);
        var canarySeen = false;
        string? canaryError = null;
        if (useCanary && observation.Node(replica.Name).Reachable)
        {
            try
            {
                await using var command = access.DataSource(replica.Name).CreateCommand("SELECT EXISTS (SELECT FROM pgha.canary WHERE token = $1)");
                command.Parameters.Add(new NpgsqlParameter { Value = mark.CanaryToken! });
                canarySeen = (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
            {
                // The canary table itself has not replayed yet.
            }
            catch (NpgsqlException e)
            {
                canaryError = $"{replica.Name} did not answer: {ReplicationProbe.Describe(e)}";
            }
        }

        return ReplicaView.Of(observation, primary, replica, upstream, mark, canarySeen, canaryError);
    }
}

using System.Collections.Immutable;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using PgHaInfra.Operations.Access;
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

    /// <summary>The latest view of one replica from both ends.</summary>
    private sealed record ReplicaView(
        string? SenderState,
        string? SyncState,
        string? ReceiverStatus,
        string? SenderHost,
        int? SenderPort,
        string? ReceiverSlot,
        bool CanarySeen,
        string? ReceivedLsn,
        string? ReplayLsn,
        bool ReachedCanaryLsn,
        long? LagBytes,
        TimeSpan? LagTime,
        string? UpstreamError,
        string? ReplicaError);

    private static async Task<ImmutableArray<CheckResult>> CheckReplicaAsync(ClusterAccess access, NodeSpec replica, PrimaryMark mark, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var spec = access.Spec;
        var upstream = spec.UpstreamOf(replica)!;
        var expectedSync = ExpectedSyncState.For(spec, replica);
        var expectedSenders = ExpectedSenders(access, upstream);
        var useCanary = mark.CanaryToken is not null && !replica.IsDelayed;
        var view = new ReplicaView(null, null, null, null, null, null, false, null, null, false, null, null, "not reached", "not reached");
        var lagLimit = spec.Lag.CriticalTime + (replica.ApplyDelay ?? TimeSpan.Zero);

        bool AllPass(ReplicaView v) =>
            v.SenderState == "streaming" && v.SyncState == expectedSync && ReceiverOk(v) && ProgressOk(v) && LagOk(v);
        bool ReceiverOk(ReplicaView v) =>
            v.ReceiverStatus == "streaming" && v.ReceiverSlot == replica.SlotName && expectedSenders.Contains((v.SenderHost ?? "", v.SenderPort ?? 0));
        bool ProgressOk(ReplicaView v) => useCanary ? v.CanarySeen : v.ReachedCanaryLsn;
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
                if (replica.IsDelayed && view.ReceiverStatus != "streaming"
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
        results.Add(new CheckResult(name, "replication", view.SenderState == "streaming",
            view.UpstreamError ?? (view.SenderState is null ? $"no walsender for application_name {name} on {upstream.Name}" : $"state {view.SenderState} on {upstream.Name}"),
            $"state streaming in {upstream.Name}'s pg_stat_replication"));
        results.Add(new CheckResult(name, "sync_state", view.SyncState == expectedSync,
            view.SyncState ?? view.UpstreamError ?? "no sync_state (not connected)", expectedSync));
        results.Add(new CheckResult(name, "wal_receiver", ReceiverOk(view),
            view.ReplicaError ?? (view.ReceiverStatus is null
                ? "no WAL receiver running"
                : $"{view.ReceiverStatus} from {view.SenderHost}:{view.SenderPort} on slot {view.ReceiverSlot ?? "(none)"}"),
            $"streaming from {string.Join(" or ", expectedSenders.Select(s => $"{s.Host}:{s.Port}"))} on slot {replica.SlotName}"));
        if (useCanary)
        {
            results.Add(new CheckResult(name, "canary", view.CanarySeen,
                view.CanarySeen ? "canary row visible" : view.ReplicaError ?? $"canary row not visible (replayed up to {view.ReplayLsn ?? "?"})",
                "the canary row written on the primary is visible"));
        }
        else
        {
            var check = replica.IsDelayed ? "wal_received" : "replay";
            results.Add(new CheckResult(name, check, view.ReachedCanaryLsn,
                view.ReplicaError ?? (replica.IsDelayed ? $"received up to {view.ReceivedLsn ?? "?"}" : $"replayed up to {view.ReplayLsn ?? "?"}"),
                $"{(replica.IsDelayed ? "received" : "replayed")} up to the primary's LSN {mark.Lsn ?? "?"}"));
        }

        results.Add(new CheckResult(name, "lag", LagOk(view),
            view.LagBytes is { } bytes && view.LagTime is { } time
                ? $"{bytes} bytes, {time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s"
                : view.ReplicaError ?? "unknown",
            $"at most {spec.Lag.CriticalBytes} and {DurationText.ToPostgres(lagLimit)}"));
        return results.ToImmutable();
    }

    /// <summary>The addresses a replica may name as its sender: as pgha reaches the upstream, and as the Docker network names it.</summary>
    private static ImmutableArray<(string Host, int Port)> ExpectedSenders(ClusterAccess access, NodeSpec upstream)
    {
        var direct = access.AddressOf(upstream.Name);
        var docker = ClusterPlacement.DockerNetwork(access.Spec).AddressOf(upstream);
        return [(direct.Host, direct.Port), (docker.Host, docker.Port)];
    }

    private static async Task<ReplicaView> ObserveAsync(ClusterAccess access, NodeSpec replica, NodeSpec upstream, PrimaryMark mark, bool useCanary, CancellationToken cancellationToken)
    {
        string? senderState = null, syncState = null, upstreamError = null, replicaError = null;
        string? receiverStatus = null, senderHost = null, slot = null, receivedLsn = null, replayLsn = null;
        int? senderPort = null;
        bool canarySeen = false, reached = false;
        long? lagBytes = null;
        TimeSpan? lagTime = null;
        TimeSpan? upstreamReplayLag = null;

        try
        {
            await using var command = access.DataSource(upstream.Name).CreateCommand(
                "SELECT state, sync_state, extract(epoch FROM replay_lag)::float8 FROM pg_catalog.pg_stat_replication WHERE application_name = $1 ORDER BY (state = 'streaming') DESC LIMIT 1");
            command.Parameters.Add(new NpgsqlParameter { Value = replica.Name });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                senderState = reader.IsDBNull(0) ? null : reader.GetString(0);
                syncState = reader.IsDBNull(1) ? null : reader.GetString(1);
                upstreamReplayLag = reader.IsDBNull(2) ? null : TimeSpan.FromSeconds(reader.GetDouble(2));
            }
        }
        catch (NpgsqlException e)
        {
            upstreamError = $"{upstream.Name} did not answer: {e.Message}";
        }

        try
        {
            await using var command = access.DataSource(replica.Name).CreateCommand("""
                SELECT r.status, r.sender_host, r.sender_port, r.slot_name, r.flushed_lsn::text,
                       pg_catalog.pg_last_wal_replay_lsn()::text,
                       $1::pg_lsn IS NOT NULL AND r.flushed_lsn >= $1::pg_lsn,
                       $1::pg_lsn IS NOT NULL AND pg_catalog.pg_last_wal_replay_lsn() >= $1::pg_lsn,
                       pg_catalog.pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_catalog.pg_last_wal_replay_lsn(),
                       COALESCE(extract(epoch FROM now() - pg_catalog.pg_last_xact_replay_timestamp()), 0)::float8
                FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_stat_wal_receiver AS r ON true
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)mark.Lsn ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            receiverStatus = reader.IsDBNull(0) ? null : reader.GetString(0);
            senderHost = reader.IsDBNull(1) ? null : reader.GetString(1);
            senderPort = reader.IsDBNull(2) ? null : reader.GetInt32(2);
            slot = reader.IsDBNull(3) ? null : reader.GetString(3);
            receivedLsn = reader.IsDBNull(4) ? null : reader.GetString(4);
            replayLsn = reader.IsDBNull(5) ? null : reader.GetString(5);
            reached = replica.IsDelayed ? !reader.IsDBNull(6) && reader.GetBoolean(6) : !reader.IsDBNull(7) && reader.GetBoolean(7);
            // Time lag from both sides: caught up (received = replayed) is 0, whatever a stale replay_lag says; otherwise
            // the upstream's replay_lag, and only without it the age of the last replayed transaction (idle clusters
            // make that age large without any lag).
            var caughtUp = !reader.IsDBNull(8) && reader.GetBoolean(8);
            lagTime = caughtUp ? TimeSpan.Zero : upstreamReplayLag ?? TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(9)));
        }
        catch (NpgsqlException e)
        {
            replicaError = $"{replica.Name} did not answer: {e.Message}";
        }

        if (replicaError is null && useCanary)
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
                replicaError = $"{replica.Name} did not answer: {e.Message}";
            }
        }

        if (replicaError is null)
        {
            lagBytes = await ByteLagAsync(access, replica, cancellationToken).ConfigureAwait(false);
        }

        return new ReplicaView(senderState, syncState, receiverStatus, senderHost, senderPort, slot, canarySeen, receivedLsn, replayLsn,
            reached, lagBytes, lagTime, upstreamError, replicaError);
    }

    /// <summary>Bytes between the primary's current WAL position and what the replica replayed (a delayed replica: received).</summary>
    private static async Task<long?> ByteLagAsync(ClusterAccess access, NodeSpec replica, CancellationToken cancellationToken)
    {
        try
        {
            await using var primary = access.DataSource(access.Spec.Primary).CreateCommand("SELECT pg_catalog.pg_current_wal_lsn()::text");
            var current = (string?)await primary.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            await using var command = access.DataSource(replica.Name).CreateCommand(replica.IsDelayed
                ? "SELECT pg_catalog.pg_wal_lsn_diff($1::pg_lsn, pg_catalog.pg_last_wal_receive_lsn())::bigint"
                : "SELECT pg_catalog.pg_wal_lsn_diff($1::pg_lsn, pg_catalog.pg_last_wal_replay_lsn())::bigint");
            command.Parameters.Add(new NpgsqlParameter { Value = current!, NpgsqlDbType = NpgsqlDbType.Text });
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is long bytes ? Math.Max(0, bytes) : null;
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }
}

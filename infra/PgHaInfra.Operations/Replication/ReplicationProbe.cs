using System.Collections.Immutable;
using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Replication;

/// <summary>
/// The one read of the replication views (pg_stat_replication, pg_stat_wal_receiver, pg_replication_slots,
/// pg_stat_archiver) and the node's own WAL positions: one round trip per node (a batch of five statements), the
/// nodes asked at once. The same batch runs on every node, so the probe needs no assumption about roles.
/// A node that does not answer becomes an observation with its error and how it failed, never an exception.
/// Status, the streaming check, the streaming wait, lag and the failover planners are pure functions over it.
/// </summary>
public static class ReplicationProbe
{
    /// <summary>The position a node's downstreams are measured against: what a primary wrote, what a standby has.</summary>
    private const string Position =
        "(SELECT CASE WHEN pg_is_in_recovery() THEN greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) ELSE pg_current_wal_lsn() END AS lsn)";

    internal const string NodeSql = """
        SELECT pg_is_in_recovery(),
               CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_lsn() END,
               pg_last_wal_receive_lsn(),
               pg_last_wal_replay_lsn(),
               now() - pg_last_xact_replay_timestamp(),
               CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END,
               now(),
               CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver)
                    ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END
        """;

    internal const string WalSendersSql = $"""
        SELECT application_name, state, sync_state, sent_lsn, write_lsn, flush_lsn, replay_lsn,
               greatest(0, pg_wal_lsn_diff(ref.lsn, sent_lsn))::int8,
               greatest(0, pg_wal_lsn_diff(ref.lsn, write_lsn))::int8,
               greatest(0, pg_wal_lsn_diff(ref.lsn, flush_lsn))::int8,
               greatest(0, pg_wal_lsn_diff(ref.lsn, replay_lsn))::int8,
               write_lag, flush_lag, replay_lag
          FROM pg_stat_replication, {Position} ref
         ORDER BY application_name
        """;

    internal const string SlotsSql = $"""
        SELECT slot_name, slot_type, active, restart_lsn, wal_status,
               greatest(0, pg_wal_lsn_diff(ref.lsn, restart_lsn))::int8
          FROM pg_replication_slots, {Position} ref
         ORDER BY slot_name
        """;

    internal const string WalReceiverSql =
        "SELECT status, sender_host, sender_port, slot_name, flushed_lsn, now() - last_msg_receipt_time FROM pg_stat_wal_receiver";

    internal const string ArchiverSql = """
        SELECT current_setting('archive_mode'), archived_count, last_archived_wal, last_archived_time,
               failed_count, last_failed_wal, last_failed_time, now() - last_archived_time
          FROM pg_stat_archiver
        """;

    /// <summary>The statements, in the order the batch sends them; the raw-query baseline of the lag benchmark reuses them.</summary>
    public static ImmutableArray<string> Statements { get; } = [NodeSql, WalSendersSql, SlotsSql, WalReceiverSql, ArchiverSql];

    /// <summary>Default bound on one node's answer once connected.</summary>
    public const int DefaultCommandTimeoutSeconds = 5;

    /// <summary>Probes <paramref name="nodes"/> at once, each through the data source <paramref name="source"/> gives for it.</summary>
    public static async Task<ClusterObservation> ObserveAsync(
        Func<string, NpgsqlDataSource> source, IEnumerable<string> nodes, CancellationToken cancellationToken, int commandTimeoutSeconds = DefaultCommandTimeoutSeconds)
    {
        ArgumentNullException.ThrowIfNull(source);
        var started = Stopwatch.GetTimestamp();
        var observedAt = DateTimeOffset.UtcNow;
        var observed = await Task.WhenAll(nodes.Distinct(StringComparer.Ordinal)
            .Select(n => ObserveNodeAsync(source(n), n, commandTimeoutSeconds, cancellationToken))).ConfigureAwait(false);
        return new ClusterObservation([.. observed], observedAt, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<NodeObservation> ObserveNodeAsync(NpgsqlDataSource source, string node, int commandTimeoutSeconds, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection) { Timeout = commandTimeoutSeconds };
            foreach (var sql in Statements)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
            }

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var observation = await ReadNodeAsync(node, reader, cancellationToken).ConfigureAwait(false);
            return observation with { Elapsed = Stopwatch.GetElapsedTime(started) };
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or IOException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Cut for a table cell: a node's error is one cause, not a log.
            var error = Describe(e);
            return NodeObservation.Unreachable(node, error.Length > 160 ? error[..160] : error, Classify(e), Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// A server's own error (any SQLSTATE: 53300 too many clients, 57P03 starting up, 28P01 authentication) means a
    /// server answered; only socket, I/O and timeout failures mean none could be reached.
    /// </summary>
    public static ObservationFailure Classify(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is PostgresException)
            {
                return ObservationFailure.Server;
            }

            if (inner is System.Net.Sockets.SocketException or IOException or TimeoutException or OperationCanceledException)
            {
                return ObservationFailure.Connection;
            }
        }

        return ObservationFailure.Server;
    }

    /// <summary>The innermost message on one line ("Connection refused", "53300: sorry, too many clients already"), never a connection string.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var inner = e;
        while (inner.InnerException is { } next && inner is not PostgresException)
        {
            inner = next;
        }

        return (inner is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : inner.Message).ReplaceLineEndings(" ").Trim();
    }

    private static async Task<NodeObservation> ReadNodeAsync(string node, NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var inRecovery = reader.GetBoolean(0);
        var current = LsnOrNull(reader, 1);
        var received = LsnOrNull(reader, 2);
        var replayed = LsnOrNull(reader, 3);
        var sinceCommit = IntervalOrNull(reader, 4);
        var paused = reader.IsDBNull(5) ? (bool?)null : reader.GetBoolean(5);
        var serverTime = reader.GetFieldValue<DateTimeOffset>(6);
        var timeline = reader.IsDBNull(7) ? (int?)null : reader.GetInt32(7);

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var senders = ImmutableArray.CreateBuilder<WalSenderObservation>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            senders.Add(new WalSenderObservation(
                ApplicationName: reader.IsDBNull(0) ? "" : reader.GetString(0),
                State: reader.IsDBNull(1) ? "unknown" : reader.GetString(1),
                SyncState: reader.IsDBNull(2) ? null : reader.GetString(2),
                SentLsn: LsnOrNull(reader, 3),
                WriteLsn: LsnOrNull(reader, 4),
                FlushLsn: LsnOrNull(reader, 5),
                ReplayLsn: LsnOrNull(reader, 6),
                SentBytes: Int64OrNull(reader, 7),
                WriteBytes: Int64OrNull(reader, 8),
                FlushBytes: Int64OrNull(reader, 9),
                ReplayBytes: Int64OrNull(reader, 10),
                WriteLag: IntervalOrNull(reader, 11),
                FlushLag: IntervalOrNull(reader, 12),
                ReplayLag: IntervalOrNull(reader, 13)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var slots = ImmutableArray.CreateBuilder<SlotObservation>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            slots.Add(new SlotObservation(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetBoolean(2),
                LsnOrNull(reader, 3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                Int64OrNull(reader, 5)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        WalReceiverObservation? receiver = null;
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            receiver = new WalReceiverObservation(
                reader.IsDBNull(0) ? "unknown" : reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                LsnOrNull(reader, 4))
            {
                ContactAge = IntervalOrNull(reader, 5) is { } age ? (age < TimeSpan.Zero ? TimeSpan.Zero : age) : null,
            };
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        ArchiverObservation? archiver = null;
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            archiver = new ArchiverObservation(
                reader.GetString(0),
                reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                IntervalOrNull(reader, 7));
        }

        return new NodeObservation
        {
            Node = node,
            Archiver = archiver,
            InRecovery = inRecovery,
            CurrentLsn = current,
            ReceiveLsn = received,
            ReplayLsn = replayed,
            SinceLastReplayedCommit = sinceCommit,
            ReplayPaused = paused,
            Timeline = timeline,
            ServerTime = serverTime,
            WalSenders = senders.ToImmutable(),
            Slots = slots.ToImmutable(),
            WalReceiver = receiver,
        };
    }

    private static Lsn? LsnOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new Lsn((ulong)reader.GetFieldValue<NpgsqlLogSequenceNumber>(ordinal));

    private static long? Int64OrNull(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    private static TimeSpan? IntervalOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<TimeSpan>(ordinal);
}

using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using PgHaInfra.Operations.Access;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Lag;

/// <summary>
/// Reads every node's replication state: one round trip per node (a batch of five statements), all nodes at once.
/// The same batch runs on every node, so the probe needs no assumption about roles: a node reports whether it is in
/// recovery, its own WAL positions, its WAL senders (its downstreams), its slots and its WAL receiver.
/// A node that does not answer becomes an observation with the error, never an exception.
/// </summary>
public sealed class LagProbe(ClusterAccess access) : IAsyncDisposable
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
               now()
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

    internal const string WalReceiverSql = "SELECT status, sender_host, sender_port, slot_name, flushed_lsn FROM pg_stat_wal_receiver";

    internal const string ArchiverSql = """
        SELECT current_setting('archive_mode'), archived_count, last_archived_wal, last_archived_time,
               failed_count, last_failed_wal, last_failed_time, now() - last_archived_time
          FROM pg_stat_archiver
        """;

    /// <summary>The statements, in the order the batch sends them; the raw-query baseline of the benchmark reuses them.</summary>
    public static ImmutableArray<string> Statements { get; } = [NodeSql, WalSendersSql, SlotsSql, WalReceiverSql, ArchiverSql];

    private readonly ConcurrentDictionary<string, NpgsqlDataSource> dataSources = new(StringComparer.Ordinal);

    public ClusterSpec Spec => access.Spec;

    /// <summary>How long one node may take to answer the batch once connected.</summary>
    public int CommandTimeoutSeconds { get; init; } = 5;

    public async Task<ClusterObservation> ObserveAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var observedAt = DateTimeOffset.UtcNow;
        var nodes = await Task.WhenAll(access.Spec.Nodes.Select(n => ObserveNodeAsync(n.Name, cancellationToken))).ConfigureAwait(false);
        return new ClusterObservation([.. nodes], observedAt, Stopwatch.GetElapsedTime(started));
    }

    public async Task<LagReport> AssessAsync(CancellationToken cancellationToken) =>
        LagAssessment.Assess(access.Spec, await ObserveAsync(cancellationToken).ConfigureAwait(false));

    public async Task<NodeObservation> ObserveNodeAsync(string node, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var connection = await DataSource(node).OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection) { Timeout = CommandTimeoutSeconds };
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
            return NodeObservation.Unreachable(node, Describe(e), Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// The probe's own data sources, built from the access's connection strings without Npgsql's type loading: the
    /// probe reads only built-in types, and loading the catalog would cost every fresh process one more round trip
    /// (and a large result) per node.
    /// </summary>
    private NpgsqlDataSource DataSource(string node) => dataSources.GetOrAdd(node, n =>
    {
        var connectionString = new NpgsqlConnectionStringBuilder(access.ConnectionString(n)) { ApplicationName = "pgha-lag" }.ConnectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        return builder.Build();
    });

    private static async Task<NodeObservation> ReadNodeAsync(string node, NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var inRecovery = reader.GetBoolean(0);
        var current = LsnOrNull(reader, 1);
        var received = LsnOrNull(reader, 2);
        var replayed = LsnOrNull(reader, 3);
        var sinceCommit = reader.IsDBNull(4) ? (TimeSpan?)null : reader.GetFieldValue<TimeSpan>(4);
        var paused = reader.IsDBNull(5) ? (bool?)null : reader.GetBoolean(5);
        var serverTime = reader.GetFieldValue<DateTimeOffset>(6);

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
                LsnOrNull(reader, 4));
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

    /// <summary>A short cause for a table cell: the innermost message, never a connection string.</summary>
    private static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException is { } next)
        {
            inner = next;
        }

        var text = inner is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : inner.Message;
        return text.Length > 160 ? text[..160] : text;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in dataSources.Values)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }

        dataSources.Clear();
    }
}

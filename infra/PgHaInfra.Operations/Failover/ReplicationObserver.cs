using System.Collections.Immutable;
using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Asks every node, in parallel, where it stands. A node that cannot be asked is observed as unreachable, with how it
/// failed: a server that answers with an error (too many clients, starting up, authentication) is alive, not gone.
/// </summary>
public static class ReplicationObserver
{
    private const string NodeQuery = """
        SELECT pg_is_in_recovery(),
               CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END,
               pg_last_wal_receive_lsn()::text,
               pg_last_wal_replay_lsn()::text,
               CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() ELSE 'not paused' END,
               r.status, r.slot_name,
               CASE WHEN pg_is_in_recovery() THEN r.received_tli
                    ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,
               CASE WHEN NOT pg_is_in_recovery() THEN NULL
                    WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END,
               extract(epoch FROM now() - r.last_msg_receipt_time)::float8
        FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS r ON true
        """;

    private const string ReplicationQuery = """
        SELECT application_name, state, sync_state, sent_lsn::text, flush_lsn::text, replay_lsn::text
        FROM pg_stat_replication
        """;

    /// <summary>How long the primary's connection-level failures must persist before a failover counts it as gone.</summary>
    public static readonly TimeSpan GoneAfter = TimeSpan.FromMilliseconds(300);

    /// <summary>The bound on confirming: after this long, whatever was seen last is what the planner judges.</summary>
    public static readonly TimeSpan GoneWindow = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan GoneRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Observes the cluster; while the spec's primary fails at the connection level, asks again every 100 ms, and
    /// returns once the failures have persisted for <see cref="GoneAfter"/> and none of its replicas' WAL receivers
    /// still streams from it, or once <see cref="GoneWindow"/> has passed: one refused connection is not a dead primary.
    /// A primary that answers ends the wait at once.
    /// </summary>
    public static async Task<ClusterObservation> ObserveConfirmingAsync(ClusterAccess access, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan? goneSince = null;
        var spec = access.Spec;
        while (true)
        {
            // A fresh connection each time: a pooled one may reach a backend that outlived its killed postmaster.
            access.DataSource(spec.Primary).Clear();
            var observation = await ObserveAsync(access, cancellationToken);
            if (!observation[spec.Primary].IsGone)
            {
                return observation;
            }

            goneSince ??= clock.Elapsed;
            var quiet = spec.DownstreamsOf(spec.Node(spec.Primary)).All(d => observation[d.Name].ReceiverStatus != "streaming");
            if ((clock.Elapsed - goneSince >= GoneAfter && quiet) || clock.Elapsed >= GoneWindow)
            {
                return observation;
            }

            await Task.Delay(GoneRetry, cancellationToken);
        }
    }

    public static async Task<ClusterObservation> ObserveAsync(ClusterAccess access, CancellationToken cancellationToken)
    {
        var nodes = access.Spec.Nodes.Select(n => n.Name).ToList();
        var results = await Task.WhenAll(nodes.Select(n => ObserveCoreAsync(access, n, withDownstreams: true, cancellationToken)));
        return new ClusterObservation(
            DateTimeOffset.UtcNow,
            results.ToImmutableDictionary(r => r.Node.Node, r => r.Node),
            [.. results.SelectMany(r => r.Downstreams)]);
    }

    public static async Task<NodeObservation> ObserveNodeAsync(ClusterAccess access, string node, CancellationToken cancellationToken) =>
        (await ObserveCoreAsync(access, node, withDownstreams: false, cancellationToken)).Node;

    private static async Task<(NodeObservation Node, ImmutableArray<ReplicationObservation> Downstreams)> ObserveCoreAsync(
        ClusterAccess access, string node, bool withDownstreams, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await access.DataSource(node).OpenConnectionAsync(cancellationToken);
            NodeObservation observation;
            await using (var command = new NpgsqlCommand(NodeQuery, connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                observation = new NodeObservation(
                    node,
                    null,
                    InRecovery: reader.GetBoolean(0),
                    CurrentLsn: LsnAt(reader, 1),
                    ReceiveLsn: LsnAt(reader, 2),
                    ReplayLsn: LsnAt(reader, 3),
                    ReplayPaused: reader.GetString(4) != "not paused",
                    ReceiverStatus: reader.IsDBNull(5) ? null : reader.GetString(5),
                    ReceiverSlot: reader.IsDBNull(6) ? null : reader.GetString(6),
                    Timeline: reader.IsDBNull(7) ? null : reader.GetInt32(7),
                    ReplayAge: reader.IsDBNull(8) ? null : TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(8))))
                {
                    ReceiverContactAge = reader.IsDBNull(9) ? null : TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(9))),
                };
            }

            var downstreams = ImmutableArray.CreateBuilder<ReplicationObservation>();
            if (withDownstreams)
            {
                await using var command = new NpgsqlCommand(ReplicationQuery, connection);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    downstreams.Add(new ReplicationObservation(
                        node,
                        reader.IsDBNull(0) ? "" : reader.GetString(0),
                        reader.IsDBNull(1) ? "" : reader.GetString(1),
                        reader.IsDBNull(2) ? "" : reader.GetString(2),
                        LsnAt(reader, 3),
                        LsnAt(reader, 4),
                        LsnAt(reader, 5)));
                }
            }

            return (observation, downstreams.ToImmutable());
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return (NodeObservation.Unreachable(node, OneLine(e), Classify(e)), []);
        }
    }

    /// <summary>
    /// A server's own error (any SQLSTATE: 53300 too many clients, 57P03 starting up, 28P01 authentication) means a
    /// server answered; only socket, I/O and timeout failures mean none could be reached.
    /// </summary>
    public static ObservationFailure Classify(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is PostgresException)
            {
                return ObservationFailure.Server;
            }

            if (inner is System.Net.Sockets.SocketException or IOException or TimeoutException)
            {
                return ObservationFailure.Connection;
            }
        }

        return ObservationFailure.Server;
    }

    private static Lsn? LsnAt(NpgsqlDataReader reader, int ordinal) =>
        !reader.IsDBNull(ordinal) && Lsn.TryParse(reader.GetString(ordinal), out var lsn) ? lsn : null;

    /// <summary>The innermost message on one line: "Connection refused", not a stack of wrappers.</summary>
    internal static string OneLine(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null && inner is not PostgresException)
        {
            inner = inner.InnerException;
        }

        return inner.Message.ReplaceLineEndings(" ").Trim();
    }
}

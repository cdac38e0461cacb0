using System.Diagnostics;
using Npgsql;

namespace PgHaInfra.Examples.ReadWrite;

/// <summary>
/// The example application's data access: orders written on the primary, read on the replicas. Every order carries
/// an idempotency key chosen by the caller, which is what makes its one retry safe when a commit's outcome is unknown.
/// </summary>
public sealed class OrderStore(RoutedDatabase database)
{
    public const string Table = "app_orders";

    // ON CONFLICT DO NOTHING + the key: a retry of a write that did commit inserts nothing and says so (no row back).
    private const string Insert =
        $"INSERT INTO {Table} (key, item, quantity) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING current_setting('cluster_name')";

    private const string Select = $"SELECT quantity, current_setting('cluster_name') FROM {Table} WHERE key = $1";

    public async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        await using var command = database.Writes.CreateCommand(
            $"CREATE TABLE IF NOT EXISTS {Table} (key uuid PRIMARY KEY, item text NOT NULL, quantity int NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Writes an order on the primary. On a failover error (no primary reachable, a stale standby, the connection cut
    /// mid-commit) it waits up to <see cref="RoutingOptions.FailoverWait"/> for a writable primary and retries once;
    /// the key makes that retry safe even when the first attempt's commit outcome is unknown. A rejected write
    /// (a constraint, bad input) is never retried.
    /// </summary>
    /// <exception cref="WriteFailedException">Not acknowledged; its Outcome says whether it may have committed.</exception>
    public async Task<WriteResult> PlaceOrderAsync(Guid key, string item, int quantity, CancellationToken cancellationToken)
    {
        var failures = new List<(WriteOutcome, string)>();
        for (var attempt = 1; ; attempt++)
        {
            NpgsqlConnection connection;
            try
            {
                connection = attempt == 1
                    ? await database.Writes.OpenConnectionAsync(cancellationToken)
                    : await OpenWritableAsync(cancellationToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
            {
                // Nothing was sent: whatever failed, the order was not written.
                failures.Add((WriteFailure.Classify(e, sent: false), WriteFailure.Describe(e)));
                if (attempt == 2)
                {
                    throw new WriteFailedException(key, Worst(failures), failures, e);
                }

                continue;
            }

            await using (connection)
            {
                try
                {
                    await using var command = new NpgsqlCommand(Insert, connection);
                    command.Parameters.AddWithValue(key);
                    command.Parameters.AddWithValue(item);
                    command.Parameters.AddWithValue(quantity);
                    if (await command.ExecuteScalarAsync(cancellationToken) is string node)
                    {
                        return new WriteResult(key, node, attempt, false, failures);
                    }

                    // No row back: the key exists. On a retry that means the first attempt committed after all.
                    return new WriteResult(key, await NodeOfAsync(connection, cancellationToken), attempt, attempt > 1, failures);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
                {
                    var outcome = WriteFailure.Classify(e, sent: true);
                    failures.Add((outcome, WriteFailure.Describe(e)));
                    if (attempt == 2 || !WriteFailure.IsFailover(outcome))
                    {
                        throw new WriteFailedException(key, Worst(failures), failures, e);
                    }
                }
            }
        }
    }

    /// <summary>Reads an order on a replica (any primary if none answers). It may be behind the primary: replica lag.</summary>
    public Task<(bool Found, string Node)> GetOrderAsync(Guid key, CancellationToken cancellationToken) =>
        ReadAsync(database.Reads, key, cancellationToken);

    /// <summary>Reads an order where it was written: on the primary, so it sees every acknowledged write.</summary>
    public Task<(bool Found, string Node)> GetOrderFreshAsync(Guid key, CancellationToken cancellationToken) =>
        ReadAsync(database.Writes, key, cancellationToken);

    /// <summary>Reads an order on one node (a synchronous standby, under synchronous_commit = remote_apply).</summary>
    public static Task<(bool Found, string Node)> GetOrderOnAsync(NpgsqlDataSource node, Guid key, CancellationToken cancellationToken) =>
        ReadAsync(node, key, cancellationToken);

    /// <summary>A read changes nothing, so it is always safe to retry: once, on any connection-level failure.</summary>
    private static async Task<(bool Found, string Node)> ReadAsync(NpgsqlDataSource source, Guid key, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = source.CreateCommand(Select);
                command.Parameters.AddWithValue(key);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    return (true, reader.GetString(1));
                }

                await reader.CloseAsync();
                await using var where = source.CreateCommand("SELECT current_setting('cluster_name')");
                return (false, (string)(await where.ExecuteScalarAsync(cancellationToken))!);
            }
            catch (NpgsqlException e) when (attempt == 1 && IsConnectionLevel(e))
            {
                // A replica that went away (restarted, re-pointed): the next attempt picks another host.
            }
        }
    }

    /// <summary>Opens a read-write session, waiting (every 50 ms) up to FailoverWait for a primary to accept one.</summary>
    private async Task<NpgsqlConnection> OpenWritableAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await database.Writes.OpenConnectionAsync(cancellationToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && clock.Elapsed < database.Options.FailoverWait)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
    }

    /// <summary>The session failed, not the query: no connection, a broken one, or a server shutting down (SQLSTATE class 08 or 57).</summary>
    private static bool IsConnectionLevel(NpgsqlException e) =>
        e is not PostgresException p || p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57", StringComparison.Ordinal);

    private static async Task<string> NodeOfAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT current_setting('cluster_name')", connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static WriteOutcome Worst(List<(WriteOutcome Outcome, string)> failures) =>
        failures.Any(f => f.Outcome == WriteOutcome.Unknown) ? WriteOutcome.Unknown
        : failures.Any(f => f.Outcome == WriteOutcome.Rejected) ? WriteOutcome.Rejected
        : WriteOutcome.NotApplied;
}

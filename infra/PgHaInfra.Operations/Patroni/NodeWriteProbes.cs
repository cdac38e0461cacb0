using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace PgHaInfra.Operations.Patroni;

/// <summary>
/// Split-brain probes: one writer per node, each on its own direct connection (no routing), committing a row every few milliseconds and
/// recording when each commit was acknowledged. Two nodes acknowledging writes in overlapping periods is split brain.
/// </summary>
public sealed class NodeWriteProbes : IAsyncDisposable, IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> loops = [];

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>Acknowledged commits per node, in the probes' clock.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<TimeSpan>> Acknowledged { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Per node, the WAL insert position its last acknowledged probe commit reported (taken inside the INSERT, so the
    /// commit record itself ends a few dozen bytes later): how far a node's acknowledged history reached.
    /// </summary>
    public ConcurrentDictionary<string, string> LastLsn { get; } = new(StringComparer.Ordinal);

    /// <param name="connectionStrings">Each node's own superuser connection string (short timeouts, no pooling).</param>
    public static async Task<NodeWriteProbes> StartAsync(IReadOnlyDictionary<string, string> connectionStrings, string leader, CancellationToken cancellationToken)
    {
        await using (var connection = new NpgsqlConnection(connectionStrings[leader]))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var create = new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS {Table} (id bigserial PRIMARY KEY, node text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())", connection);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var probes = new NodeWriteProbes();
        foreach (var (node, connectionString) in connectionStrings)
        {
            var queue = probes.Acknowledged.GetOrAdd(node, _ => new ConcurrentQueue<TimeSpan>());
            probes.loops.Add(Task.Run(() => probes.LoopAsync(node, connectionString, queue), CancellationToken.None));
        }

        return probes;
    }

    public const string Table = "pgha_node_probes";

    /// <summary>A direct superuser connection string to one node: short timeouts, no pooling, so a fenced node fails at once.</summary>
    public static string DirectConnectionString(PgHaInfra.Rendering.NodeAddress address, PgHaInfra.Operations.Access.ClusterCredentials credentials) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = address.Host,
            Port = address.Port,
            Username = credentials.Superuser,
            Password = credentials.SuperuserPassword,
            Database = "postgres",
            Timeout = 1,
            CommandTimeout = 2,
            Pooling = false,
        }.ConnectionString;

    private async Task LoopAsync(string node, string connectionString, ConcurrentQueue<TimeSpan> queue)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stop.Token).ConfigureAwait(false);
                await using var command = new NpgsqlCommand($"INSERT INTO {Table} (node) VALUES ($1) RETURNING pg_current_wal_insert_lsn()::text", connection) { Parameters = { new() { Value = node } } };
                while (!stop.IsCancellationRequested)
                {
                    var lsn = (string?)await command.ExecuteScalarAsync(stop.Token).ConfigureAwait(false);
                    queue.Enqueue(Clock.Elapsed);
                    if (lsn is not null)
                    {
                        LastLsn[node] = lsn;
                    }

                    await Task.Delay(5, stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException or IOException or TimeoutException)
            {
                // A replica refuses (read-only), a fenced node is gone: try again shortly.
                try
                {
                    await Task.Delay(10, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public void Dispose() => stop.Dispose();

    public TimeSpan? LastOn(string node) => Acknowledged.TryGetValue(node, out var q) && !q.IsEmpty ? q.Max() : null;

    public TimeSpan? FirstOnAfter(string node, TimeSpan after) => Acknowledged.TryGetValue(node, out var q) && q.Any(t => t > after) ? q.Where(t => t > after).Min() : null;

    /// <summary>Stops the writers; safe to call twice (a test stops them before its last checks).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }
}

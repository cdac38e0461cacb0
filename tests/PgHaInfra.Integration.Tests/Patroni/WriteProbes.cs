using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace PgHaInfra.Integration.Tests.Patroni;

/// <summary>
/// One writer per node, each on its own direct connection (no routing), committing a row every few milliseconds and
/// recording when each commit was acknowledged. Two nodes acknowledging writes in overlapping periods is split brain.
/// </summary>
public sealed class WriteProbes : IAsyncDisposable, IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> loops = [];

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>Acknowledged commits per node, in the probes' clock.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<TimeSpan>> Acknowledged { get; } = new(StringComparer.Ordinal);

    public static async Task<WriteProbes> StartAsync(PatroniTestCluster cluster)
    {
        var leader = (await cluster.ViewAsync()).Leader!.Name;
        await using (var connection = new NpgsqlConnection(await cluster.ConnectionStringAsync(leader)))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS it_probe (id bigserial PRIMARY KEY, node text NOT NULL)", connection);
            await create.ExecuteNonQueryAsync();
        }

        var probes = new WriteProbes();
        foreach (var node in cluster.Spec.Nodes)
        {
            var queue = probes.Acknowledged.GetOrAdd(node.Name, _ => new ConcurrentQueue<TimeSpan>());
            var connectionString = await cluster.ConnectionStringAsync(node.Name);
            probes.loops.Add(Task.Run(() => probes.LoopAsync(node.Name, connectionString, queue)));
        }

        return probes;
    }

    private async Task LoopAsync(string node, string connectionString, ConcurrentQueue<TimeSpan> queue)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stop.Token);
                await using var command = new NpgsqlCommand("INSERT INTO it_probe (node) VALUES ($1)", connection) { Parameters = { new() { Value = node } } };
                while (!stop.IsCancellationRequested)
                {
                    await command.ExecuteNonQueryAsync(stop.Token);
                    queue.Enqueue(Clock.Elapsed);
                    await Task.Delay(5, stop.Token);
                }
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException or IOException or TimeoutException)
            {
                // A replica refuses (read-only), a fenced node is gone: try again shortly.
                try
                {
                    await Task.Delay(10, stop.Token);
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
            await stop.CancelAsync();
        }

        await Task.WhenAll(loops);
    }
}

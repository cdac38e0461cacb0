using System.Collections.Concurrent;
using System.Collections.Immutable;
using PgHaInfra.Examples.ReadWrite;

namespace PgHaInfra.Integration.Tests.Applications;

/// <summary>One call of the example's PlaceOrderAsync: when, and what came of it.</summary>
internal sealed record WriteAttempt(Guid Key, DateTimeOffset StartedAt, DateTimeOffset EndedAt, WriteResult? Result, WriteFailedException? Failure)
{
    public bool Acknowledged => Result is not null;
}

/// <summary>
/// Several writers calling the example's <see cref="OrderStore.PlaceOrderAsync"/> in a loop, as an application under
/// load, and one reader reading the last acknowledged order through the read pool.
/// </summary>
internal sealed class WriteLoad(OrderStore store, int writers, TimeSpan pause) : IAsyncDisposable
{
    private readonly ConcurrentQueue<WriteAttempt> attempts = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, string? Node, string? Error)> reads = new();
    private Guid lastAcknowledged;
    private readonly CancellationTokenSource stop = new();
    private Task[] loops = [];

    public ImmutableArray<WriteAttempt> Attempts => [.. attempts.OrderBy(a => a.StartedAt)];

    /// <summary>Every read: when it ended, the node that served it, or the error after the example's one retry.</summary>
    public ImmutableArray<(DateTimeOffset At, string? Node, string? Error)> Reads => [.. reads.OrderBy(r => r.At)];

    public void Start() => loops = [.. Enumerable.Range(0, writers).Select(w => Task.Run(() => LoopAsync(w, stop.Token))), Task.Run(() => ReadLoopAsync(stop.Token))];

    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(loops);
    }

    /// <summary>The longest time with no write acknowledged, over all writers, and when it began.</summary>
    public (TimeSpan Gap, DateTimeOffset From) LongestGap()
    {
        var acks = Attempts.Where(a => a.Acknowledged).Select(a => a.EndedAt).Order().ToList();
        var longest = (TimeSpan.Zero, acks.FirstOrDefault());
        for (var i = 1; i < acks.Count; i++)
        {
            if (acks[i] - acks[i - 1] > longest.Item1)
            {
                longest = (acks[i] - acks[i - 1], acks[i - 1]);
            }
        }

        return longest;
    }

    private async Task LoopAsync(int writer, CancellationToken cancellationToken)
    {
        var n = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var key = Guid.NewGuid();
            var started = DateTimeOffset.UtcNow;
            try
            {
                // Not the stop token: a write in flight finishes (or fails) on its own, so its outcome is known.
                var result = await store.PlaceOrderAsync(key, $"writer-{writer}", ++n, CancellationToken.None);
                attempts.Enqueue(new WriteAttempt(key, started, DateTimeOffset.UtcNow, result, null));
                lastAcknowledged = key;
            }
            catch (WriteFailedException e)
            {
                attempts.Enqueue(new WriteAttempt(key, started, DateTimeOffset.UtcNow, null, e));
            }

            try
            {
                await Task.Delay(pause, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var (_, node) = await store.GetOrderAsync(lastAcknowledged, CancellationToken.None);
                reads.Enqueue((DateTimeOffset.UtcNow, node, null));
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or IOException)
            {
                reads.Enqueue((DateTimeOffset.UtcNow, null, WriteFailure.Describe(e)));
            }

            try
            {
                await Task.Delay(pause, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        stop.Dispose();
    }
}

using System.Diagnostics;
using Npgsql;

namespace PgHaInfra.Bench.Failover;

/// <summary>
/// Tries one INSERT every 2 ms on one node over a connection opened while it is still a standby, and records when the
/// first one commits: the moment the new primary accepts writes. The same probe measures pgha and the baseline.
/// </summary>
internal sealed class WriteProbe : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;
    private readonly CancellationTokenSource stop = new();
    private readonly Task<TimeSpan?> loop;

    private WriteProbe(NpgsqlConnection connection, Stopwatch clock)
    {
        this.connection = connection;
        loop = Task.Run(() => RunAsync(clock, stop.Token));
    }

    public static async Task<WriteProbe> StartAsync(NpgsqlDataSource target, Stopwatch clock, CancellationToken cancellationToken) =>
        new(await target.OpenConnectionAsync(cancellationToken), clock);

    /// <summary>When (on the shared clock) the first write was accepted; null if none within the deadline.</summary>
    public async Task<TimeSpan?> FirstWriteAsync(TimeSpan deadline)
    {
        var finished = await Task.WhenAny(loop, Task.Delay(deadline));
        if (finished != loop)
        {
            await stop.CancelAsync();
        }

        return await loop;
    }

    private async Task<TimeSpan?> RunAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("INSERT INTO bench_probe VALUES (clock_timestamp())", connection);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
                return clock.Elapsed;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction)
            {
                // Still a standby.
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        await connection.DisposeAsync();
        stop.Dispose();
    }
}

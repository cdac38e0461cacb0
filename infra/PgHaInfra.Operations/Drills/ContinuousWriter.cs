using System.Collections.Concurrent;
using System.Collections.Immutable;
using Npgsql;
using PgHaInfra.Operations.Access;

namespace PgHaInfra.Operations.Drills;

/// <summary>
/// Writes one row per transaction, as fast as a small client would, through the write endpoint: a multi-host data
/// source with Target Session Attributes=read-write, so it follows whichever node is primary without any routing of
/// ours. Every attempt is recorded with its timestamps, and whether the commit was acknowledged and by which node.
/// </summary>
public sealed class ContinuousWriter : IAsyncDisposable
{
    public const string Table = "pgha_drill_writes";

    private readonly NpgsqlMultiHostDataSource endpoint;
    private readonly NpgsqlDataSource writes;
    private readonly string run;
    private readonly TimeSpan pause;
    private readonly ConcurrentQueue<WriteRecord> records = new();
    private CancellationTokenSource? stop;
    private Task? loop;

    /// <param name="writeEndpoint">The write endpoint's Npgsql connection string, with a password.</param>
    /// <param name="pause">Pause between transactions, so the writer does not take a whole core of a small machine.</param>
    public ContinuousWriter(string writeEndpoint, string run, TimeSpan pause)
    {
        var builder = new NpgsqlDataSourceBuilder(writeEndpoint);
        builder.ConnectionStringBuilder.ApplicationName = "pgha-drill-writer";
        // Npgsql caches each host's role for 10 s by default; a drill measures seconds, so it must look every time.
        builder.ConnectionStringBuilder.HostRecheckSeconds = 0;
        builder.ConnectionStringBuilder.Timeout = 2;
        builder.ConnectionStringBuilder.CommandTimeout = 5;
        EnvironmentProof.Pin(builder.ConnectionStringBuilder, routed: true);
        endpoint = builder.BuildMultiHost();
        writes = endpoint.WithTargetSession(TargetSessionAttributes.ReadWrite);
        this.run = run;
        this.pause = pause;
    }

    public string Run => run;

    public ImmutableArray<WriteRecord> Records => [.. records.OrderBy(r => r.Id)];

    /// <summary>Creates the drill's table on the primary (idempotent).</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await using var command = writes.CreateCommand(
            $"CREATE TABLE IF NOT EXISTS {Table} (run text NOT NULL, id bigint NOT NULL, written_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (run, id))");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public void Start()
    {
        stop = new CancellationTokenSource();
        loop = Task.Run(() => WriteUntilStoppedAsync(stop.Token));
    }

    public async Task StopAsync()
    {
        if (stop is null || loop is null)
        {
            return;
        }

        await stop.CancelAsync();
        await loop;
    }

    private async Task WriteUntilStoppedAsync(CancellationToken cancellationToken)
    {
        long id = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            id++;
            var sentAt = DateTimeOffset.UtcNow;
            try
            {
                await using var command = writes.CreateCommand($"INSERT INTO {Table} (run, id) VALUES ($1, $2) RETURNING current_setting('cluster_name')");
                command.Parameters.AddWithValue(run);
                command.Parameters.AddWithValue(id);
                var node = (string?)await command.ExecuteScalarAsync(cancellationToken);
                records.Enqueue(new WriteRecord(id, sentAt, DateTimeOffset.UtcNow, node ?? "?", null));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                records.Enqueue(new WriteRecord(id, sentAt, DateTimeOffset.UtcNow, null, Replication.ReplicationProbe.Describe(e)));
                // A refused connection fails in microseconds; a short pause keeps the failure log readable.
                await Pause(TimeSpan.FromMilliseconds(5), cancellationToken);
                continue;
            }

            await Pause(pause, cancellationToken);
        }
    }

    private static async Task Pause(TimeSpan pause, CancellationToken cancellationToken)
    {
        if (pause <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(pause, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop condition ends it.
        }
    }

    /// <summary>Which acknowledged ids of this run are missing on <paramref name="primary"/>: the drill's RPO in commits.</summary>
    public async Task<ImmutableArray<long>> MissingOnAsync(NpgsqlDataSource primary, CancellationToken cancellationToken)
    {
        var present = new HashSet<long>();
        await using var command = primary.CreateCommand($"SELECT id FROM {Table} WHERE run = $1");
        command.Parameters.AddWithValue(run);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetInt64(0));
            }
        }

        return [.. Records.Where(r => r.Acknowledged && !present.Contains(r.Id)).Select(r => r.Id)];
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop?.Dispose();
        await endpoint.DisposeAsync();
    }
}

using System.Diagnostics;
using Npgsql;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Failover;

/// <summary>Waits, polling every 10 ms, until a standby has replayed up to a WAL location.</summary>
public static class WaitForReplay
{
    public static async Task<Lsn> UntilAsync(NpgsqlDataSource standby, string node, Lsn target, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await standby.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn()::text", connection);
        var replayed = Lsn.Zero;
        while (true)
        {
            if (await command.ExecuteScalarAsync(cancellationToken) is string text && Lsn.TryParse(text, out var lsn))
            {
                replayed = lsn;
                if (replayed >= target)
                {
                    return replayed;
                }
            }

            if (clock.Elapsed > deadline)
            {
                throw new FailoverException("final-lsn",
                    $"{node} replayed only up to {replayed} of the old primary's final LSN {target} in {deadline.TotalSeconds:0} s; not promoting it, as that would lose the rest");
            }

            await Task.Delay(Promote.PollInterval, cancellationToken);
        }
    }
}

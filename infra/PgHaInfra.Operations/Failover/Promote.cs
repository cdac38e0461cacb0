using System.Diagnostics;
using Npgsql;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Promotes a standby: pg_promote(wait => false), then our own 10 ms poll of pg_is_in_recovery(). pg_promote's own wait
/// polls every 100 ms; polling ourselves gives the first write about 40 ms sooner (see POSTGRES-NOTES).
/// </summary>
public static class Promote
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static async Task<TimeSpan> PromoteAndWaitAsync(NpgsqlDataSource target, string node, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await target.OpenConnectionAsync(cancellationToken);
        await using (var promote = new NpgsqlCommand("SELECT pg_promote(false)", connection))
        {
            if (await promote.ExecuteScalarAsync(cancellationToken) is not true)
            {
                throw new FailoverException("promote", $"{node} refused to promote: pg_promote returned false");
            }
        }

        await using var inRecovery = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
        while (await inRecovery.ExecuteScalarAsync(cancellationToken) is true)
        {
            if (clock.Elapsed > deadline)
            {
                throw new FailoverException("promote", $"{node} was still in recovery {deadline.TotalSeconds:0} s after pg_promote");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        return clock.Elapsed;
    }

    /// <summary>Waits until a node that was started as primary accepts writes (a roll-back's proof).</summary>
    public static async Task UntilWritableAsync(NpgsqlDataSource node, string name, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        node.Clear();
        while (true)
        {
            try
            {
                await using var command = node.CreateCommand("SELECT pg_is_in_recovery()");
                if (await command.ExecuteScalarAsync(cancellationToken) is false)
                {
                    return;
                }
            }
            catch (NpgsqlException) when (clock.Elapsed < deadline)
            {
                // Still starting.
            }

            if (clock.Elapsed > deadline)
            {
                throw new FailoverException("roll-back", $"{name} does not accept writes {deadline.TotalSeconds:0} s after its start");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}

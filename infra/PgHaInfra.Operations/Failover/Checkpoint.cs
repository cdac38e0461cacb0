using Npgsql;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// A CHECKPOINT on a rejoin's source before pg_rewind (gotcha 6): right after a promotion the source's pg_control may
/// still show the old timeline, and pg_rewind then finds "no rewind required" on a diverged node, which afterwards
/// loops forever on "new timeline forked off before current recovery point". SQL, so it lives here, not in an engine.
/// </summary>
public static class Checkpoint
{
    public static async Task RunAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand("CHECKPOINT");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

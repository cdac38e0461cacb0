using Npgsql;
using PgHaInfra.Rendering;

namespace PgHaInfra.Local;

/// <summary>Runs bootstrap SQL and drops slots over a superuser connection (creation is <see cref="Operations.Failover.Slots.EnsureAsync"/>).</summary>
public static class SlotSql
{
    /// <summary>Drops a slot; a walsender still using it is terminated first, and the drop waits (bounded) until it lets go.</summary>
    public static async Task DropAsync(NpgsqlDataSource node, string slot, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            await using (var terminate = node.CreateCommand(
                "SELECT pg_catalog.pg_terminate_backend(active_pid) FROM pg_catalog.pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL"))
            {
                terminate.Parameters.Add(new NpgsqlParameter { Value = slot });
                await terminate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await using var drop = node.CreateCommand(
                    "SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots WHERE slot_name = $1");
                drop.Parameters.Add(new NpgsqlParameter { Value = slot });
                await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && DateTime.UtcNow < until)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs a node's rendered bootstrap.sql (role from a SCRAM verifier, slots): every statement is idempotent.</summary>
    public static async Task RunBootstrapAsync(NpgsqlDataSource node, NodeFiles files, CancellationToken cancellationToken)
    {
        await using var command = node.CreateCommand(files[NodeFiles.BootstrapSql]);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

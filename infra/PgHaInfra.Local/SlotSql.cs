using Npgsql;
using PgHaInfra.Rendering;

namespace PgHaInfra.Local;

/// <summary>Runs bootstrap SQL over a superuser connection (slots: <see cref="Operations.Failover.Slots"/>, one policy for every verb).</summary>
public static class SlotSql
{
    /// <summary>Runs a node's rendered bootstrap.sql (role from a SCRAM verifier, slots): every statement is idempotent.</summary>
    public static async Task RunBootstrapAsync(NpgsqlDataSource node, NodeFiles files, CancellationToken cancellationToken)
    {
        await using var command = node.CreateCommand(files[NodeFiles.BootstrapSql]);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

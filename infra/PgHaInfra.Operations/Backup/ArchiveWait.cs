using System.Diagnostics;
using Npgsql;

namespace PgHaInfra.Operations.Backup;

/// <summary>
/// Closes the primary's current WAL segment and waits until the archiver reports it archived: afterwards every
/// commit made before the call is in the repository, which is what a restore to "now" (and an RPO) relies on.
/// </summary>
public static class ArchiveWait
{
    private const string Switch = "select pg_walfile_name(pg_switch_wal())";

    private const string Archived = "select coalesce(last_archived_wal, '') from pg_stat_archiver";

    /// <returns>The segment that was closed, once it is archived.</returns>
    public static async Task<string> SwitchAndWaitAsync(NpgsqlDataSource primary, TimeSpan deadline, CancellationToken cancellationToken)
    {
        await using var switchCommand = primary.CreateCommand(Switch);
        var segment = (string)(await switchCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using var archived = primary.CreateCommand(Archived);
            var last = (string)(await archived.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            // Segment names of one timeline sort in WAL order; a later timeline's name sorts after an earlier one's.
            if (string.CompareOrdinal(last, segment) >= 0 && !last.EndsWith(".history", StringComparison.Ordinal) && !last.Contains(".partial", StringComparison.Ordinal))
            {
                return segment;
            }

            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"segment {segment} was not archived within {deadline.TotalSeconds:0} s (last archived: {(last.Length == 0 ? "none" : last)})");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }
}

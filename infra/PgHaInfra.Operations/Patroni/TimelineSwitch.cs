using Npgsql;

namespace PgHaInfra.Operations.Patroni;

/// <summary>Where a promoted node's timeline began, and how much acknowledged WAL of the old timeline lies beyond it.</summary>
/// <param name="SwitchLsn">The switch point of the node's current timeline (its .history file's last line): the end of the WAL it took over.</param>
/// <param name="LostBytes">WAL bytes from the switch point to the old primary's last acknowledged position; 0 when nothing acknowledged lies beyond it.</param>
public sealed record TimelineSwitch(int Timeline, string SwitchLsn, long LostBytes)
{
    /// <summary>Reads the switch point on <paramref name="promoted"/> and measures <paramref name="oldLastLsn"/> against it; null before the first promotion.</summary>
    public static async Task<TimelineSwitch?> MeasureAsync(NpgsqlDataSource promoted, string oldLastLsn, CancellationToken cancellationToken)
    {
        // The current timeline is the WAL file name's first 8 hex digits; its history file names the switch point last.
        await using var command = promoted.CreateCommand(
            "SELECT tli, (SELECT split_part(l, E'\\t', 2) FROM regexp_split_to_table(trim(both E'\\n' FROM pg_read_file('pg_wal/' || tli || '.history', 0, 1048576, true)), E'\\n') WITH ORDINALITY AS h(l, n) ORDER BY n DESC LIMIT 1) " +
            "FROM (SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) AS tli) t");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(1))
        {
            return null;
        }

        var timeline = Convert.ToInt32(reader.GetString(0), 16);
        var switchLsn = reader.GetString(1);
        await reader.CloseAsync().ConfigureAwait(false);
        await using var diff = promoted.CreateCommand("SELECT greatest(0, pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn))::bigint");
        diff.Parameters.AddWithValue(oldLastLsn);
        diff.Parameters.AddWithValue(switchLsn);
        return new TimelineSwitch(timeline, switchLsn, (long)(await diff.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
    }
}

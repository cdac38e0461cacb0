using System.Text.RegularExpressions;
using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Replication;

namespace PgHaInfra.Operations.Failover;

/// <summary>What a delayed replica that does not stream is doing, in one sentence; <see cref="Waiting"/> when that is by design.</summary>
public sealed record DelayWaitState(bool Waiting, string Sentence);

/// <summary>
/// A delayed standby asks for WAL only once it has applied what it holds, which can take its whole delay: after its
/// upstream changed it starts no WAL receiver, neither on reload nor on restart (POSTGRES-NOTES note 17). That is
/// its true state, not a failure, when three things hold: its startup process waits in RecoveryApplyDelay, its
/// primary_conninfo names the new upstream, and its slot on that upstream exists and keeps WAL for it.
/// </summary>
public static partial class DelayWait
{
    public static async Task<DelayWaitState> ObserveAsync(ClusterAccess access, NodeSpec replica, string upstream, CancellationToken cancellationToken)
    {
        if (!replica.IsDelayed)
        {
            return new DelayWaitState(false, $"{replica.Name} is not a delayed replica");
        }

        var delay = DurationText.ToPostgres(replica.ApplyDelay!.Value);
        try
        {
            bool waits;
            string conninfo;
            string? received, replayed;
            await using (var command = access.DataSource(replica.Name).CreateCommand("""
                SELECT EXISTS (SELECT FROM pg_catalog.pg_stat_activity WHERE backend_type = 'startup' AND wait_event = 'RecoveryApplyDelay'),
                       pg_catalog.current_setting('primary_conninfo'),
                       pg_catalog.pg_last_wal_receive_lsn()::text, pg_catalog.pg_last_wal_replay_lsn()::text
                """))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                waits = reader.GetBoolean(0);
                conninfo = reader.GetString(1);
                received = reader.IsDBNull(2) ? null : reader.GetString(2);
                replayed = reader.IsDBNull(3) ? null : reader.GetString(3);
            }

            var address = access.AddressOf(upstream);
            var pointed = PortPattern().Matches(conninfo).Any(m => m.Groups["port"].Value == address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await using var slotQuery = access.DataSource(upstream).CreateCommand(
                "SELECT restart_lsn::text, wal_status FROM pg_catalog.pg_replication_slots WHERE slot_name = $1");
            slotQuery.Parameters.AddWithValue(replica.SlotName);
            string? restart = null, walStatus = null;
            await using (var reader = await slotQuery.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    restart = reader.IsDBNull(0) ? null : reader.GetString(0);
                    walStatus = reader.IsDBNull(1) ? null : reader.GetString(1);
                }
            }

            var keeps = restart is not null && walStatus is "reserved" or "extended";
            var sentence = $"{replica.Name} is re-pointed to {upstream}{(pointed ? "" : " (NOT: its primary_conninfo names another port)")} and " +
                (waits ? $"waits out its {delay} apply delay (startup process in RecoveryApplyDelay; it asks for WAL once it has applied what it holds: replayed {replayed ?? "?"}, holds up to {received ?? "?"})"
                       : "its startup process is not waiting out its delay") +
                "; " + (keeps ? $"slot {replica.SlotName} on {upstream} keeps WAL from {restart} ({walStatus})" : $"slot {replica.SlotName} on {upstream} {(restart is null ? "is missing or keeps no WAL" : $"is {walStatus}")}");
            return new DelayWaitState(waits && pointed && keeps, sentence);
        }
        catch (NpgsqlException e)
        {
            return new DelayWaitState(false, ReplicationProbe.Describe(e));
        }
    }

    [GeneratedRegex(@"\bport\s*=\s*'?(?<port>\d+)'?")]
    private static partial Regex PortPattern();
}

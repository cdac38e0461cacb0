using System.Collections.Immutable;
using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Backup;

/// <summary>What a backup needs to know of one standby: is it in recovery, does it stream, how far has it replayed.</summary>
public sealed record StandbyProbe(string Node, bool InRecovery, bool Streaming, Lsn? Replayed, string? Error);

/// <summary>Which standby a backup copies from, and why (one sentence), or why none can serve.</summary>
public sealed record StandbyDecision(NodeSpec? Standby, string Reason);

/// <summary>
/// Picks the standby for backup-standby: a replica without a delay (pgBackRest waits until the standby has replayed
/// the backup's start point, which a delayed one reaches only after its delay), in recovery and streaming, the most
/// advanced first.
/// </summary>
public static class StandbyChoice
{
    private const string Query = """
        select pg_is_in_recovery(),
               coalesce((select status = 'streaming' from pg_stat_wal_receiver), false),
               pg_last_wal_replay_lsn()::text
        """;

    public static async Task<ImmutableArray<StandbyProbe>> ProbeAsync(ClusterSpec spec, ClusterAccess access, CancellationToken cancellationToken)
    {
        var candidates = spec.Replicas.Where(r => !r.IsDelayed).ToList();
        var probes = await Task.WhenAll(candidates.Select(async node =>
        {
            try
            {
                await using var command = access.DataSource(node.Name).CreateCommand(Query);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new StandbyProbe(node.Name, reader.GetBoolean(0), reader.GetBoolean(1),
                    reader.IsDBNull(2) ? null : Lsn.Parse(reader.GetString(2)), null);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                return new StandbyProbe(node.Name, false, false, null, e.Message);
            }
        })).ConfigureAwait(false);
        return [.. probes];
    }

    public static StandbyDecision Choose(ClusterSpec spec, IReadOnlyList<StandbyProbe> probes)
    {
        var healthy = probes.Where(p => p.InRecovery && p.Streaming && p.Replayed is not null).OrderByDescending(p => p.Replayed!.Value).ToList();
        if (healthy.Count == 0)
        {
            var why = probes.Count == 0
                ? "the stack has no replica without a delay"
                : string.Join("; ", probes.Select(p => p.Error is { } e ? $"{p.Node} unreachable ({e})" : !p.InRecovery ? $"{p.Node} is not in recovery" : $"{p.Node} is not streaming"));
            return new StandbyDecision(null, $"no healthy standby to back up from: {why}");
        }

        var best = healthy[0];
        return new StandbyDecision(spec.Node(best.Node), $"chose {best.Node}: streaming, replayed to {best.Replayed}, no apply delay");
    }
}

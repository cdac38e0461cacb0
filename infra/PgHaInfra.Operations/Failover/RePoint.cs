using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Makes a running replica follow a new upstream: its slot is created on the new upstream FIRST (slots are not
/// replicated), then its postgresql.conf is re-rendered for the new spec and reloaded. On PG 15 a reload that changes
/// primary_conninfo restarts the WAL receiver at once, with no server restart (gotcha 3).
/// </summary>
public static class RePoint
{
    public static async Task<string> RunAsync(ClusterAccess access, INodeControl control, ClusterSpec next, RePointStep step, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var node = next.Node(step.Node);
        var created = await Slots.EnsureAsync(access.DataSource(step.NewUpstream), node.SlotName, cancellationToken);
        await control.InstallConfigurationAsync(next, node, cancellationToken);
        await ReloadAsync(access.DataSource(step.Node), cancellationToken);
        // A delayed replica starts no WAL receiver while it waits out its delay (note 17): its true state is the outcome.
        var (took, waiting) = await StreamingWait.UntilStreamingOrWaitingAsync(access, node, step.Node, step.NewUpstream, node.SlotName, deadline, cancellationToken);
        return $"{step.Node} follows {step.NewUpstream} (was {step.OldUpstream}); slot {node.SlotName} {(created ? "created" : "already there")} on {step.NewUpstream}; " +
            (waiting is null ? $"streaming after {took.TotalMilliseconds:0} ms" : $"not streaming yet, by design: {waiting.Sentence}");
    }

    public static async Task ReloadAsync(NpgsqlDataSource node, CancellationToken cancellationToken)
    {
        await using var command = node.CreateCommand("SELECT pg_reload_conf()");
        await command.ExecuteScalarAsync(cancellationToken);
    }
}

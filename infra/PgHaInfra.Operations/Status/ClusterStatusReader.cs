using System.Collections.Immutable;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Replication;
using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Status;

/// <summary>Each node's status as PostgreSQL reports it (engine-agnostic): role, upstream, LSNs, walsender state, lag.</summary>
public static class ClusterStatusReader
{
    public static async Task<ImmutableArray<NodeStatus>> ReadAsync(ClusterAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        var observation = await ReplicationProbe.ObserveAsync(access.DataSource, access.Spec.Nodes.Select(n => n.Name), cancellationToken).ConfigureAwait(false);
        return From(access.Spec, observation);
    }

    /// <summary>The status of every node of <paramref name="spec"/> in one probe (pure).</summary>
    public static ImmutableArray<NodeStatus> From(ClusterSpec spec, ClusterObservation observation)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(observation);
        var primary = observation.Node(spec.Primary);
        var primaryLsn = primary.IsWritablePrimary ? primary.CurrentLsn : null;
        var result = ImmutableArray.CreateBuilder<NodeStatus>();
        foreach (var node in spec.Nodes)
        {
            var seen = observation.Node(node.Name);
            // The primary's current WAL position, or what a replica replayed.
            var lsn = seen.InRecovery ? seen.ReplayLsn : seen.CurrentLsn;
            var status = new NodeStatus(node.Name, !seen.Reachable ? "unreachable" : seen.InRecovery ? "replica" : "primary", null, null, null,
                seen.ReceiverStatus, lsn?.ToString(), seen.ReceiveLsn?.ToString(), null, null, seen.Error);
            if (spec.UpstreamOf(node) is not { } upstream)
            {
                result.Add(status);
                continue;
            }

            var sender = observation.Node(upstream.Name).SenderFor(node.Name);
            // Caught up (received = replayed) means no time lag, whatever a stale replay_lag says.
            var seconds = lsn is not null && lsn == seen.ReceiveLsn ? 0
                : sender is null ? (double?)null
                : sender.ReplayLag?.TotalSeconds ?? 0;
            result.Add(status with
            {
                Upstream = upstream.Name,
                State = sender?.State,
                SyncState = sender?.SyncState,
                LagBytes = primaryLsn is { } head && lsn is { } at ? head.BytesAhead(at) : null,
                LagSeconds = seconds,
            });
        }

        return result.ToImmutable();
    }
}

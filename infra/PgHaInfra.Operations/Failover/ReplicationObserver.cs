using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Replication;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// Asks every node, in parallel, where it stands. A node that cannot be asked is observed as unreachable, with how it
/// failed: a server that answers with an error (too many clients, starting up, authentication) is alive, not gone.
/// </summary>
public static class ReplicationObserver
{
    /// <summary>How long the primary's connection-level failures must persist before a failover counts it as gone.</summary>
    public static readonly TimeSpan GoneAfter = TimeSpan.FromMilliseconds(300);

    /// <summary>The bound on confirming: after this long, whatever was seen last is what the planner judges.</summary>
    public static readonly TimeSpan GoneWindow = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan GoneRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Observes the cluster; while the spec's primary fails at the connection level, asks again every 100 ms, and
    /// returns once the failures have persisted for <see cref="GoneAfter"/> and none of its replicas' WAL receivers
    /// still streams from it, or once <see cref="GoneWindow"/> has passed: one refused connection is not a dead primary.
    /// A primary that answers ends the wait at once.
    /// </summary>
    public static async Task<ClusterObservation> ObserveConfirmingAsync(ClusterAccess access, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan? goneSince = null;
        var spec = access.Spec;
        while (true)
        {
            // A fresh connection each time: a pooled one may reach a backend that outlived its killed postmaster.
            access.DataSource(spec.Primary).Clear();
            var observation = await ObserveAsync(access, cancellationToken);
            if (!observation.Node(spec.Primary).IsGone)
            {
                return observation;
            }

            goneSince ??= clock.Elapsed;
            var quiet = spec.DownstreamsOf(spec.Node(spec.Primary)).All(d => observation.Node(d.Name).ReceiverStatus != "streaming");
            if ((clock.Elapsed - goneSince >= GoneAfter && quiet) || clock.Elapsed >= GoneWindow)
            {
                return observation;
            }

            await Task.Delay(GoneRetry, cancellationToken);
        }
    }

    /// <summary>Every node of the spec, through the access's pooled data sources (<see cref="ReplicationProbe"/>).</summary>
    public static Task<ClusterObservation> ObserveAsync(ClusterAccess access, CancellationToken cancellationToken) =>
        ReplicationProbe.ObserveAsync(access.DataSource, access.Spec.Nodes.Select(n => n.Name), cancellationToken);
}

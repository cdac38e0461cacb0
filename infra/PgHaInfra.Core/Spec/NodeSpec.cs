namespace PgHaInfra.Spec;

/// <summary>One PostgreSQL server of the cluster.</summary>
/// <param name="Name">DNS-label name; also the server's cluster_name and its replication application_name.</param>
/// <param name="Port">The port the node listens on locally, and its published port under Docker.</param>
/// <param name="Upstream">The node it streams from; null means the current primary.</param>
/// <param name="ApplyDelay">recovery_min_apply_delay for a delayed disaster-recovery replica.</param>
public sealed record NodeSpec(string Name, int Port, string? Upstream = null, TimeSpan? ApplyDelay = null)
{
    public bool IsDelayed => ApplyDelay is { } delay && delay > TimeSpan.Zero;

    /// <summary>The physical slot this node streams through on its upstream. Slot names allow only [a-z0-9_].</summary>
    public string SlotName => Name.Replace('-', '_');
}

namespace PgHaInfra.Spec;

/// <summary>How the primary's replicas are attached. Each topology is one Pulumi component.</summary>
public enum Topology
{
    /// <summary>One primary; WAL settings already allow replicas to be added later.</summary>
    Single,

    /// <summary>A primary and asynchronous streaming replicas, all attached to the primary.</summary>
    Async,

    /// <summary>Synchronous replication, FIRST k (priority) or ANY k (quorum), over direct replicas.</summary>
    Sync,

    /// <summary>Asynchronous replication where at least one replica streams from another replica.</summary>
    Cascading,
}

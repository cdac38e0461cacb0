namespace PgHaInfra.Operations.Replication;

/// <summary>How asking a node failed: what decides whether a primary is gone.</summary>
public enum ObservationFailure
{
    /// <summary>It answered.</summary>
    None,

    /// <summary>No server could be reached: refused, reset, timed out, no route. Only this can mean "gone".</summary>
    Connection,

    /// <summary>
    /// A server answered, with an error: too many clients, starting up or shutting down, authentication. It is alive.
    /// </summary>
    Server,
}

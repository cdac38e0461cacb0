namespace PgHaInfra.Spec;

/// <summary>DNS names of the write endpoint (the primary) and the read endpoint (every replica).</summary>
public sealed record EndpointNames(string Write, string Read);

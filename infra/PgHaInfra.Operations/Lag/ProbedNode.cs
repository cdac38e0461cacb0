namespace PgHaInfra.Operations.Lag;

/// <summary>Whether a node answered the probe, and the role PostgreSQL reported.</summary>
public sealed record ProbedNode(string Node, bool Reachable, string Role, string? Error, TimeSpan Elapsed);

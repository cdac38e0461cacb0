namespace PgHaInfra.Operations.Failover;

/// <summary>A replica that must stream from a new upstream once the new primary is promoted.</summary>
public sealed record RePointStep(string Node, string OldUpstream, string NewUpstream);

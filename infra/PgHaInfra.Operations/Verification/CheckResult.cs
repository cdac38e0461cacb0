namespace PgHaInfra.Operations.Verification;

/// <summary>One check on one node: what was seen against what was expected.</summary>
/// <param name="Check">role, replication, sync_state, wal_receiver, canary, wal_received, replay or lag.</param>
public sealed record CheckResult(string Node, string Check, bool Passed, string Observed, string Expected);

namespace PgHaInfra.Operations.Verification;

/// <summary>How long the streaming check may wait for every replica, and whether it writes a canary row on the primary.</summary>
/// <param name="Deadline">All checks must pass within this time; they are polled every 20 ms until then.</param>
/// <param name="WriteCanary">Write a row into pgha.canary on the primary and wait to see it on each (non-delayed) replica.</param>
public sealed record StreamingCheckOptions(TimeSpan Deadline, bool WriteCanary = true);

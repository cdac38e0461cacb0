namespace PgHaInfra.Examples.ReadWrite;

/// <summary>An acknowledged write: the node that committed it, and what it took to get there.</summary>
/// <param name="Node">The node that committed it (cluster_name, which pgha sets to the node's name).</param>
/// <param name="Attempts">1, or 2 when the one retry was needed.</param>
/// <param name="FoundCommitted">The retry found the row already there: the first attempt had committed after all.</param>
/// <param name="Failures">What the failed attempt saw, with its outcome class (empty on the first try).</param>
public sealed record WriteResult(Guid Key, string Node, int Attempts, bool FoundCommitted, IReadOnlyList<(WriteOutcome Outcome, string Error)> Failures);

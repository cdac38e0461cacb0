namespace PgHaInfra.Local;

/// <summary>
/// The one policy for stopping a server: every stop the engine makes names one of these three, so how long a stop may
/// take and whether it may fall back to an immediate shutdown is decided here and nowhere else.
/// </summary>
/// <param name="Mode">The first attempt's shutdown mode.</param>
/// <param name="Deadline">How long the first attempt may take.</param>
/// <param name="ImmediateFallback">When set, an immediate shutdown (bounded by this) follows a first attempt that did not finish in time.</param>
public sealed record StopPolicy(StopMode Mode, TimeSpan Deadline, TimeSpan? ImmediateFallback)
{
    /// <summary>
    /// A stop that must be clean: a switchover's old primary, whose shutdown checkpoint is the final LSN. Fast, and no
    /// fallback: an immediate stop would leave no final LSN, and the switchover rolls back instead.
    /// </summary>
    public static readonly StopPolicy Clean = new(StopMode.Fast, TimeSpan.FromSeconds(60), null);

    /// <summary>
    /// down, a removed node, a restart, the stop before a rewind: fast, then immediate after 20 s, so a stuck client
    /// cannot hold the verb. Nothing committed is lost either way (crash recovery, or pg_rewind's own, replays the WAL).
    /// </summary>
    public static readonly StopPolicy Graceful = new(StopMode.Fast, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60));

    /// <summary>A fence (the node must not accept one more write) or a half-made directory about to be deleted: immediate.</summary>
    public static readonly StopPolicy Immediate = new(StopMode.Immediate, TimeSpan.FromSeconds(60), null);
}

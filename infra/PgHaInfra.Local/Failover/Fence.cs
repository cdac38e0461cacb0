namespace PgHaInfra.Local.Failover;

/// <summary>
/// The local fence: a node that must not come back as a primary by accident. Its data directory gets standby.signal
/// (any start, even a hand-typed pg_ctl start, brings it up read-only, with no upstream) and a pgha.fenced marker
/// saying why; pgha's own start refuses a fenced node until `pgha rejoin` (or a switchover roll-back) lifts it.
/// The two travel together: standby.signal is written (and fsynced) before the marker, and the marker is lifted
/// before standby.signal goes, so at no moment is a node marked fenced while it would start writable.
/// </summary>
public static class Fence
{
    public const string MarkerFile = "pgha.fenced";

    public static string MarkerPath(string dataDirectory) => Path.Combine(dataDirectory, MarkerFile);

    public static bool IsFenced(string dataDirectory) => File.Exists(MarkerPath(dataDirectory));

    public static async Task MarkAsync(string dataDirectory, ServerUser user, string reason, CancellationToken cancellationToken)
    {
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await user.WriteFileAsync(SignalPath(dataDirectory), "", Private, cancellationToken, durable: true).ConfigureAwait(false);
        await user.WriteFileAsync(MarkerPath(dataDirectory), $"{DateTimeOffset.UtcNow:O} {reason}\n", Private, cancellationToken, durable: true).ConfigureAwait(false);
    }

    /// <summary>Lifts the fence marker (durably). standby.signal stays until the caller removes it for a primary.</summary>
    public static void Lift(string dataDirectory) => ServerUser.DeleteDurably(MarkerPath(dataDirectory));

    /// <summary>
    /// Puts standby.signal back on a fenced node that lost it (a pg_rewind that was interrupted after taking it away
    /// for its single-user recovery). Synchronous and without a token: it runs in finally blocks, also on cancellation.
    /// </summary>
    /// <returns>True when it had to write the file.</returns>
    public static bool Restore(string dataDirectory, ServerUser user)
    {
        if (!IsFenced(dataDirectory) || File.Exists(SignalPath(dataDirectory)))
        {
            return false;
        }

        user.WriteFileAsync(SignalPath(dataDirectory), "", UnixFileMode.UserRead | UnixFileMode.UserWrite, CancellationToken.None, durable: true).GetAwaiter().GetResult();
        return true;
    }

    private static string SignalPath(string dataDirectory) => Path.Combine(dataDirectory, Rendering.NodeFiles.StandbySignal);
}

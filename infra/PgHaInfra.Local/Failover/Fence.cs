namespace PgHaInfra.Local.Failover;

/// <summary>
/// The local fence: a node that must not come back as a primary by accident. Its data directory gets standby.signal
/// (any start, even a hand-typed pg_ctl start, brings it up read-only, with no upstream) and a pgha.fenced marker
/// saying why; pgha's own start refuses a fenced node until `pgha rejoin` (or a switchover roll-back) lifts it.
/// </summary>
public static class Fence
{
    public const string MarkerFile = "pgha.fenced";

    public static string MarkerPath(string dataDirectory) => Path.Combine(dataDirectory, MarkerFile);

    public static bool IsFenced(string dataDirectory) => File.Exists(MarkerPath(dataDirectory));

    public static async Task MarkAsync(string dataDirectory, ServerUser user, string reason, CancellationToken cancellationToken)
    {
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await user.WriteFileAsync(Path.Combine(dataDirectory, Rendering.NodeFiles.StandbySignal), "", Private, cancellationToken).ConfigureAwait(false);
        await user.WriteFileAsync(MarkerPath(dataDirectory), $"{DateTimeOffset.UtcNow:O} {reason}\n", Private, cancellationToken).ConfigureAwait(false);
    }

    public static void Lift(string dataDirectory) => File.Delete(MarkerPath(dataDirectory));
}

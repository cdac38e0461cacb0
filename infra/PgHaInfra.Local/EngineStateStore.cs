using System.Text.Json;

namespace PgHaInfra.Local;

/// <summary>
/// Reads and writes state.json. Writes are atomic and durable (a temporary file, fsynced, renamed, and the directory
/// fsynced), and one store serialises the updates of parallel steps, so a crash or a power loss leaves either the
/// old state or the new one, never half of it. An unreadable state.json is never taken for "no state": pgha then
/// refuses to act (<see cref="EngineStateUnreadableException"/>) until `up --adopt` rebuilds it from the data directories. Once it has
/// written, it answers reads from what it wrote: within a run it is the only writer, and re-reading the file put a
/// deserialisation on the critical path of every step.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose.")]
public sealed class EngineStateStore(StateLayout layout, ServerUser user)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private EngineState? lastWritten;

    public StateLayout Layout { get; } = layout;

    /// <summary>The state, or null when the engine never ran for this state directory.</summary>
    public async Task<EngineState?> LoadAsync(CancellationToken cancellationToken)
    {
        if (lastWritten is { } written)
        {
            return written;
        }

        if (!File.Exists(Layout.StateFile))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(Layout.StateFile);
            return await JsonSerializer.DeserializeAsync(stream, EngineStateJson.Default.EngineState, cancellationToken).ConfigureAwait(false)
                ?? throw new EngineStateUnreadableException(Layout, "it holds no state (null)");
        }
        catch (JsonException e)
        {
            throw new EngineStateUnreadableException(Layout, new FileInfo(Layout.StateFile).Length == 0 ? "it is empty" : e.Message, e);
        }
    }

    /// <summary>
    /// Moves an unreadable state.json aside (kept, never deleted) so `up --adopt` can write a new one; returns where it went.
    /// </summary>
    public string? SetAsideUnreadable()
    {
        if (!File.Exists(Layout.StateFile))
        {
            return null;
        }

        var aside = $"{Layout.StateFile}.unreadable-{DateTimeOffset.UtcNow:yyyyMMddTHHmmss}";
        File.Move(Layout.StateFile, aside);
        Libc.SyncDirectory(Layout.Root);
        return aside;
    }

    private async Task SaveAsync(EngineState state, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(state with { UpdatedAt = DateTimeOffset.UtcNow }, EngineStateJson.Default.EngineState);
        await user.WriteFileAsync(Layout.StateFile, json + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken, durable: true).ConfigureAwait(false);
    }

    /// <summary>Loads, changes and saves under one lock: what parallel node creations use to record themselves.</summary>
    public async Task<EngineState> UpdateAsync(string stack, string cluster, Func<EngineState, EngineState> change, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await LoadAsync(cancellationToken).ConfigureAwait(false) ?? EngineState.Empty(stack, cluster);
            var next = change(current);
            await SaveAsync(next, cancellationToken).ConfigureAwait(false);
            lastWritten = next;
            return next;
        }
        finally
        {
            gate.Release();
        }
    }
}

namespace PgHaInfra.Local;

/// <summary>
/// state.json exists but cannot be read (truncated by a power loss, emptied, edited by hand). pgha does not guess:
/// it refuses, deletes nothing, and names the way out.
/// </summary>
public sealed class EngineStateUnreadableException : Exception
{
    public EngineStateUnreadableException(StateLayout layout, string why, Exception? inner = null)
        : base($"{layout.StateFile} is unreadable ({why}). pgha will not act on the cluster without it and deletes no data because of it. " +
               "Run `pgha up --adopt` to set it aside and record the data directories that are there (their roles read from the servers " +
               "and standby.signal), or restore state.json from a backup", inner)
    {
    }

    public EngineStateUnreadableException()
    {
    }

    public EngineStateUnreadableException(string message)
        : base(message)
    {
    }

    public EngineStateUnreadableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

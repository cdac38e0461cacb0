namespace PgHaInfra.Local;

/// <summary>
/// One verb's exclusive hold on a stack's state directory, across processes. The verbs that change the cluster (up,
/// down, switchover, failover, rejoin, drill) take it, so two of them never initdb, copy or promote the same nodes at
/// once, and the state store may count itself the only writer. It is an advisory flock(2) on &lt;root&gt;.lock, beside
/// the state directory rather than in it, so `down` deleting the directory never deletes a held lock's file (what
/// .NET takes for FileShare.None); the kernel drops it when the process ends, however it ends. It is taken before
/// state.json is read. The holder names itself in &lt;root&gt;.lock.holder, so a refused verb can say who holds the
/// stack. Read-only verbs take no lock.
/// </summary>
public sealed class StackLock : IDisposable
{
    private readonly FileStream held;
    private readonly string holderFile;

    private StackLock(FileStream held, string holderFile)
    {
        this.held = held;
        this.holderFile = holderFile;
    }

    /// <exception cref="LocalEngineException">Another process holds the stack; the message names it.</exception>
    public static StackLock Acquire(StateLayout layout, string verb)
    {
        ArgumentNullException.ThrowIfNull(layout);
        FileStream held;
        Directory.CreateDirectory(Path.GetDirectoryName(layout.LockFile)!);
        try
        {
            held = new FileStream(layout.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(layout.LockFile))
        {
            var holder = File.Exists(layout.LockHolderFile) ? File.ReadAllText(layout.LockHolderFile).Trim() : "holder unknown";
            throw new LocalEngineException(
                $"another pgha is changing this stack ({holder}); it holds {layout.LockFile}. Let it finish, or stop it, then run {verb} again", e);
        }

        File.WriteAllText(layout.LockHolderFile, $"pid {Environment.ProcessId}, pgha {verb}, since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z\n");
        return new StackLock(held, layout.LockHolderFile);
    }

    public void Dispose()
    {
        // The holder file first: once the lock is released, it is the next holder's to write.
        if (File.Exists(holderFile))
        {
            File.Delete(holderFile);
        }

        held.Dispose();
    }
}

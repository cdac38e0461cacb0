using System.Diagnostics;

namespace PgHaInfra.Local.Patroni;

/// <summary>What a fence found and killed, in one sentence for the node's log.</summary>
public sealed record FenceResult(int Killed, TimeSpan Elapsed, string Reason);

/// <summary>
/// Kills every PostgreSQL process of one data directory at once: the manager's death must not leave a primary that
/// still accepts writes (POSTGRES-NOTES 9 and 14). Patroni starts the postmaster in a session of its own
/// (setsid), so its process group holds the postmaster and every backend; one kill(-group, SIGKILL) reaches them
/// all before any can acknowledge another commit. Processes that name the data directory are killed too, in case
/// postmaster.pid was not written yet.
/// </summary>
public static class PostgresFence
{
    public static FenceResult Kill(string dataDirectory, string why)
    {
        var clock = Stopwatch.StartNew();
        var ownGroup = ProcFs.ProcessGroupOfSelf;
        var groups = new HashSet<int>();
        var postmasters = new Dictionary<int, ProcEntry>();
        void Strike(ProcEntry postmaster)
        {
            if (postmaster.ProcessGroup > 1 && postmaster.ProcessGroup != ownGroup && groups.Add(postmaster.ProcessGroup))
            {
                ProcFs.Signal(-postmaster.ProcessGroup, ProcFs.SigKill);
            }

            ProcFs.Signal(postmaster.Pid, ProcFs.SigKill);
            postmasters[postmaster.Pid] = postmaster;
        }

        // The postmaster.pid one first, before scanning /proc: that is the one that accepts writes.
        if (NamedPostmaster(dataDirectory) is { } named)
        {
            Strike(named);
        }

        var signalled = clock.Elapsed;
        foreach (var other in FindPostmasters(dataDirectory).Where(p => !postmasters.ContainsKey(p.Pid)))
        {
            Strike(other);
        }

        // Children that left the group (none do today) still die with their postmaster's pid as parent.
        var children = ProcFs.All().Where(p => postmasters.ContainsKey(p.ParentPid) && !p.IsZombie).ToList();
        foreach (var child in children)
        {
            ProcFs.Signal(child.Pid, ProcFs.SigKill);
        }

        if (postmasters.Count == 0)
        {
            return new FenceResult(0, clock.Elapsed, $"fence: {why}; no PostgreSQL process of {dataDirectory} was running");
        }

        while (postmasters.Keys.Any(ProcFs.IsAlive) && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(2);
        }

        return new FenceResult(postmasters.Count + children.Count, clock.Elapsed,
            $"fence: {why}; SIGKILL sent to PostgreSQL of {dataDirectory} (postmaster {string.Join(", ", postmasters.Keys)}, group {string.Join(", ", groups)}) " +
            $"{signalled.TotalMilliseconds:0.0} ms into the fence, all gone after {clock.Elapsed.TotalMilliseconds:0} ms: it cannot accept writes without its manager");
    }

    /// <summary>
    /// Whether the data directory's postmaster runs as a primary: alive, with no startup process among its children
    /// (a standby's startup process replays WAL until promotion ends it). Read from /proc: no password, no connection.
    /// </summary>
    public static bool RunsAsPrimary(string dataDirectory) =>
        NamedPostmaster(dataDirectory) is { } postmaster
        && !ProcFs.All().Any(p => p.ParentPid == postmaster.Pid && !p.IsZombie && p.CommandLine.Count > 0
            && p.CommandLine[0].StartsWith("postgres: ", StringComparison.Ordinal)
            && p.CommandLine[0].Split(": ").Skip(1).Any(part => part.StartsWith("startup", StringComparison.Ordinal)));

    private static ProcEntry? NamedPostmaster(string dataDirectory) =>
        PgHaInfra.Local.PostmasterPidFile.Read(dataDirectory) is { } pidFile && ProcFs.Read(pidFile.Pid) is { IsZombie: false } named
            && named.CommandLine.Count > 0 && Path.GetFileName(named.CommandLine[0]) == "postgres"
            ? named
            : null;

    /// <summary>The postmaster named by postmaster.pid, and any process started as `postgres -D &lt;dir&gt;`.</summary>
    internal static IEnumerable<ProcEntry> FindPostmasters(string dataDirectory)
    {
        var found = new Dictionary<int, ProcEntry>();
        if (NamedPostmaster(dataDirectory) is { } named)
        {
            found[named.Pid] = named;
        }

        var full = Path.GetFullPath(dataDirectory).TrimEnd('/');
        foreach (var process in ProcFs.All())
        {
            if (process.IsZombie || process.CommandLine.Count < 3 || Path.GetFileName(process.CommandLine[0]) != "postgres")
            {
                continue;
            }

            var index = process.CommandLine.ToList().IndexOf("-D");
            if (index >= 0 && index + 1 < process.CommandLine.Count && Path.GetFullPath(process.CommandLine[index + 1]).TrimEnd('/') == full)
            {
                found[process.Pid] = process;
            }
        }

        return found.Values;
    }
}

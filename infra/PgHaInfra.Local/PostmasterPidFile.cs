namespace PgHaInfra.Local;

/// <summary>
/// postmaster.pid, read the way pg_ctl reads it: line 1 is the postmaster's PID, line 8 its status ("ready" or
/// "standby" once it accepts connections). Reading the file costs no connection, so it can be polled every few ms.
/// </summary>
public sealed record PostmasterPidFile(int Pid, string Status)
{
    public const string FileName = "postmaster.pid";

    public bool AcceptsConnections => Status is "ready" or "standby";

    /// <summary>The data directory the file was read from.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// The process exists, is not a zombie (a SIGKILLed postmaster stays one until its parent reaps it), and is this
    /// data directory's server: a postmaster works in its data directory, so /proc/&lt;pid&gt;/cwd must be it. On a
    /// busy machine the PID of a killed postmaster is soon reused by some other process.
    /// </summary>
    public bool ProcessAlive
    {
        get
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{Pid}/stat");
                if (stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0] == "Z")
                {
                    return false;
                }
            }
            catch (IOException)
            {
                return false;
            }

            return DataDirectory is null || WorksIn(Pid, DataDirectory);
        }
    }

    /// <summary>Whether the process works in <paramref name="dataDirectory"/>; true when its cwd cannot be read (assume it may be ours).</summary>
    private static bool WorksIn(int pid, string dataDirectory)
    {
        try
        {
            var cwd = new FileInfo($"/proc/{pid}/cwd").LinkTarget;
            return cwd is null || cwd.TrimEnd('/') == Path.GetFullPath(dataDirectory).TrimEnd('/');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>
    /// Removes a postmaster.pid that names no live server of this directory (a killed server's, its PID perhaps reused
    /// or an unreaped zombie), and the socket lock file that the same dead postmaster left (its path is in lines 4
    /// and 5 of postmaster.pid): PostgreSQL would refuse to start, taking the other process for a postmaster.
    /// </summary>
    public static void RemoveStale(string dataDirectory)
    {
        if (Read(dataDirectory) is not { ProcessAlive: false } stale)
        {
            return;
        }

        var path = Path.Combine(dataDirectory, FileName);
        try
        {
            var lines = File.ReadAllLines(path);
            if (lines.Length >= 5 && lines[3].Trim() is { Length: > 0 } port && lines[4].Trim() is { Length: > 0 } socketDirectory)
            {
                var socketLock = Path.Combine(socketDirectory, $".s.PGSQL.{port}.lock");
                if (File.Exists(socketLock) && File.ReadLines(socketLock).FirstOrDefault()?.Trim() == stale.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    File.Delete(socketLock);
                }
            }
        }
        catch (IOException)
        {
            // Gone meanwhile: nothing stale left to remove.
        }

        File.Delete(path);
    }

    public static PostmasterPidFile? Read(string dataDirectory)
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(dataDirectory, FileName));
            if (lines.Length == 0 || !int.TryParse(lines[0].Trim(), out var pid))
            {
                return null;
            }

            return new PostmasterPidFile(pid, lines.Length >= 8 ? lines[7].Trim() : "starting") { DataDirectory = dataDirectory };
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when a postmaster is running for this data directory.</summary>
    public static bool IsRunning(string dataDirectory) => Read(dataDirectory) is { ProcessAlive: true };
}

namespace PgHaInfra.Local;

/// <summary>
/// postmaster.pid, read the way pg_ctl reads it: line 1 is the postmaster's PID, line 8 its status ("ready" or
/// "standby" once it accepts connections). Reading the file costs no connection, so it can be polled every few ms.
/// </summary>
public sealed record PostmasterPidFile(int Pid, string Status)
{
    public const string FileName = "postmaster.pid";

    public bool AcceptsConnections => Status is "ready" or "standby";

    /// <summary>The process exists and is not a zombie: a SIGKILLed postmaster stays a zombie until its parent (often PID 1) reaps it.</summary>
    public bool ProcessAlive
    {
        get
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{Pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0] != "Z";
            }
            catch (IOException)
            {
                return false;
            }
        }
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

            return new PostmasterPidFile(pid, lines.Length >= 8 ? lines[7].Trim() : "starting");
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

using System.Globalization;

namespace PgHaInfra.Local.Patroni;

/// <summary>One process as /proc shows it: enough to find a postmaster, its process group and its children.</summary>
internal sealed record ProcEntry(int Pid, char State, int ParentPid, int ProcessGroup, IReadOnlyList<string> CommandLine)
{
    public bool IsZombie => State is 'Z' or 'X';
}

/// <summary>Reads /proc. A process can vanish between listing and reading; it is then simply absent.</summary>
internal static class ProcFs
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static ProcEntry? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            return new ProcEntry(pid, fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture), commandLine);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public static IEnumerable<ProcEntry> All()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } entry)
            {
                yield return entry;
            }
        }
    }

    public static bool IsAlive(int pid) => Read(pid) is { IsZombie: false };

    /// <summary>Sends a signal; a process that is already gone is not an error.</summary>
    public static void Signal(int pid, int signal) => _ = Native.Kill(pid, signal);

    public static int ProcessGroupOfSelf => Read(Environment.ProcessId)?.ProcessGroup ?? -1;
}

namespace PgHaInfra.Integration.Tests;

/// <summary>Finds and kills processes (postgres, pg_basebackup, pgha) whose command line names a directory: the last line of teardown.</summary>
public static class LeftoverProcesses
{
    public static IReadOnlyList<int> Under(string directory)
    {
        var found = new List<int>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(directory, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public static void KillUnder(string directory)
    {
        foreach (var pid in Under(directory))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PgHaInfra.Integration.Tests;

/// <summary>
/// Ctrl-C for a child process: SIGINT sent with kill(2) from this process. Spawning /bin/kill instead costs a process
/// start, which on a loaded machine can take long enough for the moment a test aims at to pass.
/// </summary>
internal static class Interrupt
{
    private const int Sigint = 2;

    public static void Send(Process process)
    {
        // A process started in the background without job control (`cmd &` in a script) ignores SIGINT, and every
        // child inherits that: pgha would rightly ignore Ctrl-C, and the test would fail on something else.
        if (IgnoredHere())
        {
            throw new InvalidOperationException("this test process ignores SIGINT (SigIgn in /proc/self/status), so pgha inherits that and cannot be interrupted: run the tests in the foreground or with job control");
        }

        if (Kill(process.Id, Sigint) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static bool IgnoredHere()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
               && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var mask)
               && (mask & (1UL << (Sigint - 1))) != 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}

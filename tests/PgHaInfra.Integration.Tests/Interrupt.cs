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
        if (Kill(process.Id, Sigint) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}

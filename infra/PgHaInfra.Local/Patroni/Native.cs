using System.Runtime.InteropServices;

namespace PgHaInfra.Local.Patroni;

/// <summary>The POSIX calls the Patroni mode needs that .NET does not wrap: signals to a pid or a process group.</summary>
internal static partial class Native
{
    /// <param name="pid">A process, or minus a process group to signal all of its members at once.</param>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}

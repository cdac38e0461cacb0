using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PgHaInfra.Integration.Tests;

/// <summary>
/// Free loopback ports for one test cluster. The search starts at PGHA_TEST_PORT_BASE (default 20100), so parallel
/// worktrees can be given disjoint ranges, and every port is probed (bind) before it is handed out.
/// </summary>
public static class PortBlock
{
    public const string BaseVariable = "PGHA_TEST_PORT_BASE";
    public const int DefaultBase = 20100;
    public const int RangeSize = 2000;

    private static readonly Lock Gate = new();
    private static int next = -1;

    public static int Base => Environment.GetEnvironmentVariable(BaseVariable) is { Length: > 0 } text
        ? int.Parse(text, CultureInfo.InvariantCulture)
        : DefaultBase;

    /// <summary>A run of <paramref name="count"/> consecutive free ports, never handed out before in this process.</summary>
    public static int[] Allocate(int count)
    {
        lock (Gate)
        {
            if (next < 0)
            {
                // Different test processes (the CLI test, a rerun) start at different offsets inside the range.
                next = Base + (Environment.ProcessId % 20 * 50);
            }

            for (var attempts = 0; attempts < RangeSize; attempts++)
            {
                if (next + count > Base + RangeSize)
                {
                    next = Base;
                }

                var candidate = next;
                next += count;
                var ports = Enumerable.Range(candidate, count).ToArray();
                if (ports.All(IsFree))
                {
                    return ports;
                }
            }

            throw new InvalidOperationException($"no {count} consecutive free ports in {Base}-{Base + RangeSize} (set {BaseVariable})");
        }
    }

    public static bool IsFree(int port)
    {
        if (File.Exists($"/tmp/.s.PGSQL.{port}"))
        {
            return false;
        }

        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

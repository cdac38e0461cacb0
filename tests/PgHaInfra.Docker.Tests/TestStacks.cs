using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PgHaInfra.Spec;
using PgHaInfra.Stack;

namespace PgHaInfra.Docker.Tests;

/// <summary>
/// The stacks the tests deploy: every one in the repository's stacks/, and the Pulumi tests' extra topologies. Each
/// is deployed as written, except for what this machine dictates: the image (no registry: the one built from Debian's
/// packages) and the published ports (inside this worktree's range, from PGHA_TEST_PORT_BASE + 1500).
/// </summary>
public static class TestStacks
{
    public static StackCatalog Repository { get; } = StackCatalog.Discover(AppContext.BaseDirectory);

    public static StackCatalog Extra { get; } = new(Path.Combine(AppContext.BaseDirectory, "Stacks"));

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var stack in Repository.Stacks().Concat(Extra.Stacks()))
        {
            data.Add(stack);
        }

        return data;
    }

    public static async Task<ClusterSpec> LoadAsync(string stack, CancellationToken cancellationToken)
    {
        var catalog = File.Exists(Repository.PathOf(stack)) ? Repository : Extra;
        var spec = await StackLoader.LoadAsync(catalog, stack, cancellationToken);
        return ForThisMachine(spec);
    }

    public static ClusterSpec ForThisMachine(ClusterSpec spec)
    {
        var ports = FreePorts(spec.Nodes.Length);
        return spec with
        {
            Postgres = spec.Postgres with { Image = DockerEngine.Image },
            Nodes = [.. spec.Nodes.Select((n, i) => n with { Port = ports[i] })],
        };
    }

    /// <summary>Inside this worktree's range, above the part the integration tests use (base .. base + 1499).</summary>
    public static int PortBase => (Environment.GetEnvironmentVariable("PGHA_TEST_PORT_BASE") is { Length: > 0 } text
        ? int.Parse(text, CultureInfo.InvariantCulture)
        : 20100) + 1500;

    private static readonly Lock Gate = new();
    private static int next;

    private static ImmutableArray<int> FreePorts(int count)
    {
        lock (Gate)
        {
            var ports = ImmutableArray.CreateBuilder<int>();
            for (var attempts = 0; ports.Count < count && attempts < 500; attempts++)
            {
                var port = PortBase + (next++ % 500);
                if (IsFree(port))
                {
                    ports.Add(port);
                }
            }

            return ports.Count == count ? ports.ToImmutable() : throw new InvalidOperationException($"no {count} free ports from {PortBase}");
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

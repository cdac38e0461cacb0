using System.Collections.Immutable;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering;

/// <summary>How one node is reached by the others.</summary>
public sealed record NodeAddress(string Host, int Port);

/// <summary>
/// Where a cluster runs, as far as its configuration cares: the addresses nodes reach each other on, what they
/// listen on, which network may replicate, and where each node finds its passfile and sockets.
/// The same spec renders for loopback (the local engine) and for a Docker network (the Pulumi program).
/// </summary>
/// <param name="Target">A short label for headers: "local" or "docker".</param>
/// <param name="ListenAddresses">listen_addresses on every node.</param>
/// <param name="AllowedNetworks">The cluster's own networks in CIDR notation; pg_hba.conf admits only these.</param>
/// <param name="Addresses">Each node's address, by node name.</param>
/// <param name="PassfilePath">The libpq passfile that primary_conninfo names, so the password is never inline.</param>
/// <param name="SocketDirectory">unix_socket_directories, or null to keep the server's default.</param>
public sealed record ClusterPlacement(
    string Target,
    string ListenAddresses,
    ImmutableArray<string> AllowedNetworks,
    ImmutableDictionary<string, NodeAddress> Addresses,
    string PassfilePath,
    string? SocketDirectory)
{
    /// <summary>Port PostgreSQL listens on inside a container; the stack's port is the published one.</summary>
    public const int ContainerPort = 5432;

    /// <summary>Where the Pulumi program uploads the passfile inside each container.</summary>
    public const string ContainerPassfile = "/etc/postgresql/pgha/replication.pgpass";

    /// <summary>The local engine: every node on 127.0.0.1 at its stack port.</summary>
    public static ClusterPlacement Loopback(ClusterSpec spec, string passfilePath, string? socketDirectory) => new(
        "local",
        "127.0.0.1",
        ["127.0.0.1/32"],
        spec.Nodes.ToImmutableDictionary(n => n.Name, n => new NodeAddress("127.0.0.1", n.Port)),
        passfilePath,
        socketDirectory);

    /// <summary>The Pulumi program: each node is reached by its DNS alias on the cluster's Docker network.</summary>
    public static ClusterPlacement DockerNetwork(ClusterSpec spec) => new(
        "docker",
        "*",
        [spec.Network.Subnet],
        spec.Nodes.ToImmutableDictionary(n => n.Name, n => new NodeAddress(DockerHostName(spec, n), ContainerPort)),
        ContainerPassfile,
        null)
    {
        Backup = spec.Backup is null ? null : BackupPlacement.Container(spec, ContainerDataDirectory),
    };

    /// <summary>PGDATA inside the container (the image's default).</summary>
    public const string ContainerDataDirectory = "/var/lib/postgresql/data";

    /// <summary>The per-node DNS alias on the Docker network.</summary>
    public static string DockerHostName(ClusterSpec spec, NodeSpec node) => $"{node.Name}.{spec.Name}.pgha.internal";

    public NodeAddress AddressOf(NodeSpec node) => Addresses[node.Name];

    /// <summary>Where pgBackRest runs and keeps its files; null when the stack has no backup keys.</summary>
    public BackupPlacement? Backup { get; init; }
}

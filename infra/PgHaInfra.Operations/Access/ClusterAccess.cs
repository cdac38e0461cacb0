using System.Collections.Concurrent;
using System.Collections.Immutable;
using Npgsql;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Access;

/// <summary>
/// How operations reach a cluster: each node's address as seen from where pgha runs, and the superuser's credentials.
/// The local engine builds it from its state; the Pulumi program from the published ports
/// (<see cref="ThroughPublishedPorts"/>). It owns one pooled Npgsql data source per node, until it is disposed.
/// </summary>
public sealed class ClusterAccess(ClusterSpec spec, ImmutableDictionary<string, NodeAddress> addresses, ClusterCredentials credentials)
    : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> dataSources = new(StringComparer.Ordinal);
    private volatile bool disposed;

    /// <summary>
    /// A Docker-networked cluster reached through its published ports on <paramref name="host"/>: the nodes address
    /// each other by the network's names (<see cref="ClusterPlacement.DockerNetwork"/>), not as pgha reaches them.
    /// </summary>
    public static ClusterAccess ThroughPublishedPorts(ClusterSpec spec, string host, ClusterCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new(spec, spec.Nodes.ToImmutableDictionary(n => n.Name, n => new NodeAddress(host, n.Port)), credentials)
        {
            Peers = ClusterPlacement.DockerNetwork(spec),
        };
    }

    public ClusterSpec Spec { get; } = spec;

    public ImmutableDictionary<string, NodeAddress> Addresses { get; } = addresses;

    public ClusterCredentials Credentials { get; } = credentials;

    /// <summary>A short connect timeout: a dead node must be reported in seconds, not hang a check.</summary>
    public int ConnectTimeoutSeconds { get; init; } = 3;

    /// <summary>How the nodes address each other (a replica's primary_conninfo), when not as pgha reaches them; null: the same.</summary>
    public ClusterPlacement? Peers { get; init; }

    public NodeAddress AddressOf(string node) =>
        Addresses.TryGetValue(node, out var address) ? address : throw new ArgumentException($"no address for node '{node}'", nameof(node));

    /// <summary>The address the other nodes use for <paramref name="node"/>: what a downstream's WAL receiver names as its sender.</summary>
    public NodeAddress PeerAddressOf(string node) => Peers?.AddressOf(Spec.Node(node)) ?? AddressOf(node);

    /// <summary>A pooled superuser data source for one node, created on first use.</summary>
    /// <remarks>Operations use built-in types only; skipping the pg_type load makes each first connection tens of ms faster.</remarks>
    public NpgsqlDataSource DataSource(string node)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return dataSources.GetOrAdd(node, n =>
            new NpgsqlDataSourceBuilder(ConnectionString(n)).ConfigureTypeLoading(t => t.EnableTypeLoading(false)).Build());
    }

    /// <summary>Closes every idle pooled connection (before servers stop, so none holds a shutdown up); the access stays usable.</summary>
    public void ClearPools()
    {
        foreach (var source in dataSources.Values)
        {
            source.Clear();
        }
    }

    public string ConnectionString(string node, string database = "postgres")
    {
        var address = AddressOf(node);
        return EnvironmentProof.Pin(new NpgsqlConnectionStringBuilder
        {
            Host = address.Host,
            Port = address.Port,
            Database = database,
            Username = Credentials.Superuser,
            Password = Credentials.SuperuserPassword,
            ApplicationName = "pgha",
            Timeout = ConnectTimeoutSeconds,
            CommandTimeout = 30,
            // A node restarted under us must not hand back a dead pooled connection.
            ConnectionIdleLifetime = 10,
        }).ConnectionString;
    }

    /// <summary>Disposes every data source; the access cannot be used afterwards.</summary>
    public async ValueTask DisposeAsync()
    {
        disposed = true;
        foreach (var source in dataSources.Values)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }

        dataSources.Clear();
    }
}

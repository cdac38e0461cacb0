using System.Collections.Concurrent;
using System.Collections.Immutable;
using Npgsql;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Access;

/// <summary>
/// How operations reach a cluster: each node's address as seen from where pgha runs, and the superuser's credentials.
/// The local engine builds it from its state; the Pulumi program from the published ports. It owns one pooled
/// Npgsql data source per node.
/// </summary>
public sealed class ClusterAccess(ClusterSpec spec, ImmutableDictionary<string, NodeAddress> addresses, ClusterCredentials credentials)
    : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> dataSources = new(StringComparer.Ordinal);

    public ClusterSpec Spec { get; } = spec;

    public ImmutableDictionary<string, NodeAddress> Addresses { get; } = addresses;

    public ClusterCredentials Credentials { get; } = credentials;

    /// <summary>A short connect timeout: a dead node must be reported in seconds, not hang a check.</summary>
    public int ConnectTimeoutSeconds { get; init; } = 3;

    public NodeAddress AddressOf(string node) =>
        Addresses.TryGetValue(node, out var address) ? address : throw new ArgumentException($"no address for node '{node}'", nameof(node));

    /// <summary>A pooled superuser data source for one node, created on first use.</summary>
    /// <remarks>Operations use built-in types only; skipping the pg_type load makes each first connection tens of ms faster.</remarks>
    public NpgsqlDataSource DataSource(string node) => dataSources.GetOrAdd(node, n =>
        new NpgsqlDataSourceBuilder(ConnectionString(n)).ConfigureTypeLoading(t => t.EnableTypeLoading(false)).Build());

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

    public async ValueTask DisposeAsync()
    {
        foreach (var source in dataSources.Values)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }

        dataSources.Clear();
    }
}

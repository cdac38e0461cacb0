using Npgsql;

namespace PgHaInfra.Examples.ReadWrite;

/// <summary>
/// The seed's read pool and write pool, as Npgsql does it: one <see cref="NpgsqlMultiHostDataSource"/> over every
/// node that may serve the application, and two views of it. Writes take a read-write session (whichever node is
/// primary now, also after a switchover); reads take a standby when one answers, load-balanced over them, and fall
/// back to the primary. Npgsql routes; the application writes no router.
/// </summary>
public sealed class RoutedDatabase : IAsyncDisposable
{
    private readonly NpgsqlMultiHostDataSource source;

    private RoutedDatabase(NpgsqlMultiHostDataSource source, RoutingOptions options)
    {
        this.source = source;
        Options = options;
        Writes = source.WithTargetSession(TargetSessionAttributes.ReadWrite);
        Reads = source.WithTargetSession(TargetSessionAttributes.PreferStandby);
    }

    public RoutingOptions Options { get; }

    /// <summary>The write pool: a read-write session on the current primary.</summary>
    public NpgsqlDataSource Writes { get; }

    /// <summary>The read pool: a standby, round-robin over the standbys; the primary when no standby answers.</summary>
    public NpgsqlDataSource Reads { get; }

    /// <summary>
    /// Builds the one data source from the read endpoint: its hosts are the nodes that may serve reads, the primary
    /// among them (prefer-standby falls back to it, read-write finds it), and it sets Load Balance Hosts=True.
    /// A node left out of it (a delayed replica) is one a switchover never promotes, so writes lose nothing.
    /// </summary>
    /// <param name="password">The role's password, from the application's secret store; never in the endpoint.</param>
    public static RoutedDatabase Open(AppEndpoints endpoints, string password, RoutingOptions? options = null)
    {
        options ??= RoutingOptions.Default;
        var builder = new NpgsqlDataSourceBuilder(endpoints.Read);
        var settings = builder.ConnectionStringBuilder;
        settings.Password = password;
        settings.LoadBalanceHosts = true;
        // The data source serves both sessions; each view asks for its own, so the string's own attribute is moot.
        settings.TargetSessionAttributes = null;
        settings.HostRecheckSeconds = options.HostRecheckSeconds;
        settings.Timeout = options.ConnectTimeoutSeconds;
        settings.ApplicationName = options.ApplicationName;
        return new RoutedDatabase(builder.BuildMultiHost(), options);
    }

    /// <summary>A single-host data source for a read that needs one particular node (a synchronous standby).</summary>
    public static NpgsqlDataSource OpenNode(AppEndpoints endpoints, string hostPort, string password, RoutingOptions? options = null)
    {
        options ??= RoutingOptions.Default;
        var settings = new NpgsqlConnectionStringBuilder(endpoints.Read)
        {
            Host = hostPort,
            Password = password,
            LoadBalanceHosts = false,
            TargetSessionAttributes = null,
            Timeout = options.ConnectTimeoutSeconds,
            ApplicationName = options.ApplicationName,
        };
        return new NpgsqlDataSourceBuilder(settings.ConnectionString).Build();
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();
}

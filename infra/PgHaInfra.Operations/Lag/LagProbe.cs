using System.Collections.Concurrent;
using System.Collections.Immutable;
using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Replication;
using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Lag;

/// <summary>
/// `pgha lag` and `pgha metrics`: the <see cref="ReplicationProbe"/> of every node on data sources of its own (named
/// pgha-lag in pg_stat_activity, so a scrape is told apart from pgha's other work), judged by <see cref="LagAssessment"/>.
/// </summary>
public sealed class LagProbe(ClusterAccess access) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> dataSources = new(StringComparer.Ordinal);

    /// <summary>The statements, in the order the batch sends them; the raw-query baseline of the benchmark reuses them.</summary>
    public static ImmutableArray<string> Statements => ReplicationProbe.Statements;

    public ClusterSpec Spec => access.Spec;

    /// <summary>How long one node may take to answer the batch once connected.</summary>
    public int CommandTimeoutSeconds { get; init; } = ReplicationProbe.DefaultCommandTimeoutSeconds;

    public Task<ClusterObservation> ObserveAsync(CancellationToken cancellationToken) =>
        ReplicationProbe.ObserveAsync(DataSource, access.Spec.Nodes.Select(n => n.Name), cancellationToken, CommandTimeoutSeconds);

    public async Task<LagReport> AssessAsync(CancellationToken cancellationToken) =>
        LagAssessment.Assess(access.Spec, await ObserveAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The probe's own data sources, from the access's connection strings (built-in types only, as the access's).</summary>
    private NpgsqlDataSource DataSource(string node) => dataSources.GetOrAdd(node, n =>
    {
        var connectionString = new NpgsqlConnectionStringBuilder(access.ConnectionString(n)) { ApplicationName = "pgha-lag" }.ConnectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        return builder.Build();
    });

    public async ValueTask DisposeAsync()
    {
        foreach (var source in dataSources.Values)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }

        dataSources.Clear();
    }
}

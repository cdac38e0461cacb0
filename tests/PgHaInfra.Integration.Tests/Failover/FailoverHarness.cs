using PgHaInfra.Local.Failover;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Replication;
using PgHaInfra.Spec;

namespace PgHaInfra.Integration.Tests.Failover;

/// <summary>
/// Switchover/failover machinery over a <see cref="TestCluster"/>: its own ClusterAccess (recording a new primary
/// disposes the engine's), the local node control and the runner, as the CLI wires them.
/// </summary>
internal sealed class FailoverHarness : IAsyncDisposable
{
    private FailoverHarness(TestCluster test, ClusterAccess access, LocalNodeControl control)
    {
        Test = test;
        Access = access;
        Control = control;
        Runner = new PromotionRunner(access, control);
    }

    public TestCluster Test { get; }

    public ClusterAccess Access { get; }

    public LocalNodeControl Control { get; }

    public PromotionRunner Runner { get; }

    public ClusterSpec Spec => Access.Spec;

    public static async Task<FailoverHarness> OpenAsync(TestCluster test, CancellationToken cancellationToken)
    {
        var credentials = await test.Cluster.CredentialsAsync(cancellationToken) ?? throw new InvalidOperationException("no credentials");
        var access = new ClusterAccess(test.Spec, test.Cluster.Addresses, credentials);
        var binaries = await test.Cluster.BinariesAsync(cancellationToken);
        return new FailoverHarness(test, access, new LocalNodeControl(test.Cluster, binaries));
    }

    /// <summary>The write endpoint (multi-host, read-write) with the superuser's password, as the drill uses it.</summary>
    public string WriteEndpoint()
    {
        var endpoints = ClusterEndpoints.For(Spec, Access.Addresses, Access.Credentials.Superuser);
        return new Npgsql.NpgsqlConnectionStringBuilder(endpoints.Write) { Password = Access.Credentials.SuperuserPassword }.ConnectionString;
    }

    public ContinuousWriter Writer(string run) => new(WriteEndpoint(), run, TimeSpan.FromMilliseconds(2));

    /// <summary>As `pgha failover` observes: a primary that fails at the connection level is asked again until that is confirmed.</summary>
    public Task<ClusterObservation> ObserveAsync(CancellationToken cancellationToken) => ReplicationObserver.ObserveConfirmingAsync(Access, cancellationToken);

    public async Task<T> QueryAsync<T>(string node, string sql, CancellationToken cancellationToken)
    {
        await using var command = Access.DataSource(node).CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The node's WAL receiver: status, the port it streams from, and the timeline it received last.</summary>
    public async Task<(string? Status, int? SenderPort, int? Timeline)> ReceiverAsync(string node, CancellationToken cancellationToken)
    {
        await using var command = Access.DataSource(node).CreateCommand("SELECT status, sender_port, received_tli FROM pg_stat_wal_receiver");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (null, null, null);
        }

        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetInt32(2));
    }

    /// <summary>The timeline a primary writes on, from the name of its current WAL file.</summary>
    public async Task<int> PrimaryTimelineAsync(string node, CancellationToken cancellationToken) =>
        await QueryAsync<int>(node, "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int", cancellationToken);

    /// <summary>The post-deploy check against the cluster as the engine now records it.</summary>
    public async Task<Operations.Verification.VerificationReport> VerifyAsync(CancellationToken cancellationToken)
    {
        await Test.Cluster.RefreshAsync(cancellationToken);
        return await Test.VerifyAsync(TimeSpan.FromSeconds(20), cancellationToken: cancellationToken);
    }

    public static CancellationTokenSource Deadline(int seconds = 150) => new(TimeSpan.FromSeconds(seconds));

    public async ValueTask DisposeAsync() => await Access.DisposeAsync();
}

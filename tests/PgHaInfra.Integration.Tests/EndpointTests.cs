using Npgsql;
using PgHaInfra.Local;
using PgHaInfra.Operations.Endpoints;

namespace PgHaInfra.Integration.Tests;

/// <summary>The endpoint strings route by themselves: writes land on the primary, reads on replicas.</summary>
public sealed class EndpointTests
{
    [Fact]
    public async Task Write_endpoint_lands_on_the_primary_and_read_endpoint_on_replicas()
    {
        await using var cluster = await TestCluster.StartAsync("it-endpoints", StackTemplates.Async(2));
        var credentials = cluster.Access.Credentials;
        var endpoints = ClusterEndpoints.For(cluster.Spec, cluster.Cluster.Addresses, credentials.Superuser);
        var replicaPorts = cluster.Spec.Replicas.Select(r => r.Port).ToHashSet();

        await using (var write = new NpgsqlDataSourceBuilder(endpoints.Write) { ConnectionStringBuilder = { Password = credentials.SuperuserPassword } }.Build())
        {
            for (var i = 0; i < 3; i++)
            {
                await using var command = write.CreateCommand("SELECT pg_is_in_recovery(), inet_server_port()");
                await using var reader = await command.ExecuteReaderAsync();
                await reader.ReadAsync();
                Assert.False(reader.GetBoolean(0));
                Assert.Equal(cluster.Spec.PrimaryNode.Port, reader.GetInt32(1));
            }
        }

        var seen = new HashSet<int>();
        await using (var read = new NpgsqlDataSourceBuilder(endpoints.Read) { ConnectionStringBuilder = { Password = credentials.SuperuserPassword, Pooling = false } }.Build())
        {
            for (var i = 0; i < 12; i++)
            {
                await using var command = read.CreateCommand("SELECT pg_is_in_recovery(), inet_server_port()");
                await using var reader = await command.ExecuteReaderAsync();
                await reader.ReadAsync();
                Assert.True(reader.GetBoolean(0));
                seen.Add(reader.GetInt32(1));
            }
        }

        Assert.Subset(replicaPorts, seen);

        // The libpq forms route the same way for psql users.
        var binaries = await cluster.Cluster.BinariesAsync(CancellationToken.None);
        var passfile = Path.Combine(cluster.Root, "psql.pgpass");
        await LocalSecrets.WritePrivateFileAsync(passfile, LocalSecrets.PassfileLine(credentials.Superuser, credentials.SuperuserPassword), CancellationToken.None);
        var env = new Dictionary<string, string> { ["PGPASSFILE"] = passfile };
        var runner = new ProcessRunner(cluster.Cluster.User);
        var onWrite = await runner.RunAsync(binaries.PathOf("psql"), [endpoints.WriteLibpq, "-Atc", "SELECT pg_is_in_recovery()"], CancellationToken.None, env, asServerUser: false);
        var onRead = await runner.RunAsync(binaries.PathOf("psql"), [endpoints.ReadLibpq, "-Atc", "SELECT pg_is_in_recovery()"], CancellationToken.None, env, asServerUser: false);
        Assert.Equal("f", onWrite.StandardOutput.Trim());
        Assert.Equal("t", onRead.StandardOutput.Trim());
    }
}

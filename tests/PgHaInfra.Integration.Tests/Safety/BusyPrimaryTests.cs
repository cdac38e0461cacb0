using Npgsql;
using PgHaInfra.Integration.Tests.Failover;

namespace PgHaInfra.Integration.Tests.Safety;

/// <summary>
/// An old primary that answers "too many clients" is alive: failover neither fences it nor promotes anything without
/// --force, and says why (the server answered; its replicas' WAL receivers still stream from it).
/// </summary>
public sealed class BusyPrimaryTests
{
    [Fact]
    public async Task An_old_primary_answering_too_many_clients_is_not_fenced_and_not_failed_over_without_force()
    {
        using var deadline = FailoverHarness.Deadline(240);
        await using var test = await TestCluster.StartAsync("safe-busy", StackTemplates.Async(2), cancellationToken: deadline.Token);
        var credentials = (await test.Cluster.CredentialsAsync(deadline.Token))!;
        var connectionString = new NpgsqlConnectionStringBuilder(test.Access.ConnectionString("pg-1"))
        {
            Password = credentials.SuperuserPassword,
            Pooling = false,
        }.ConnectionString;
        var held = new List<NpgsqlConnection>();
        try
        {
            // Every connection slot, the superuser's reserved ones included, until the server says so itself.
            PostgresException? refused = null;
            while (refused is null && held.Count < 1000)
            {
                var connection = new NpgsqlConnection(connectionString);
                try
                {
                    await connection.OpenAsync(deadline.Token);
                    held.Add(connection);
                }
                catch (PostgresException e)
                {
                    refused = e;
                    await connection.DisposeAsync();
                }
            }

            Assert.Equal(PostgresErrorCodes.TooManyConnections, refused?.SqlState);

            var failover = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(60), "failover");

            Assert.True(failover.ExitCode == 1, failover.Stdout + failover.Stderr);
            // The replicas' WAL receivers still stream from pg-1: that alone refuses. And the server's own answer
            // ("too many clients") counts as alive, unless on a loaded machine the connection attempt timed out first.
            Assert.Contains("still stream from pg-1", failover.Stderr, StringComparison.Ordinal);
            if (!failover.Stderr.Contains("does not accept connections", StringComparison.Ordinal))
            {
                Assert.Contains("answers but refuses the connection", failover.Stderr, StringComparison.Ordinal);
                Assert.Contains("too many clients", failover.Stderr, StringComparison.Ordinal);
            }

            Assert.Contains("--force", failover.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(test.DataDirectory("pg-1"), "pgha.fenced")), "pg-1 must not be fenced");
            Assert.True(PgHaInfra.Local.PostmasterPidFile.IsRunning(test.DataDirectory("pg-1")), "pg-1 must still run");
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }

        Assert.False(await test.QueryAsync<bool>("pg-1", "SELECT pg_is_in_recovery()", deadline.Token));
        Assert.True(await test.QueryAsync<bool>("pg-2", "SELECT pg_is_in_recovery()", deadline.Token));
        Assert.True(await test.QueryAsync<bool>("pg-3", "SELECT pg_is_in_recovery()", deadline.Token));
        await test.OpenAsync(deadline.Token);
        Assert.Equal("pg-1", test.State!.Primary);
    }
}

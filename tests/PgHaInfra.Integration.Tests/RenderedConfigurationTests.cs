using PgHaInfra.Local;
using PgHaInfra.Rendering;

namespace PgHaInfra.Integration.Tests;

/// <summary>
/// Issue 2's proof that the rendered configuration is real: PostgreSQL 15 starts on the rendered primary files
/// without a single error in pg_file_settings, and its own parser (`postgres -C`) reads every setting of every
/// replica's file.
/// </summary>
public sealed class RenderedConfigurationTests
{
    [Theory]
    [InlineData("prod")]
    [InlineData("local")]
    public async Task PostgreSQL_accepts_the_rendered_files_of_every_node(string stack)
    {
        await using var cluster = await TestCluster.FromRepositoryStackAsync(stack, up: false);
        var spec = cluster.Spec;
        var layout = cluster.Layout;
        var user = cluster.Cluster.User;
        var binaries = await cluster.Cluster.BinariesAsync(CancellationToken.None);
        var runner = cluster.Cluster.Runner;
        var placement = cluster.Cluster.Placement;
        foreach (var dir in new[] { layout.Root, layout.DataRoot, layout.SocketDirectory, layout.LogDirectory, layout.SecretsDirectory })
        {
            user.CreateDirectory(dir);
        }

        var credentials = await LocalSecrets.EnsureAsync(spec, layout, user, CancellationToken.None);
        var verifier = PgHaInfra.Security.ScramVerifier.Compute(credentials.ReplicationPassword);

        // The primary: initdb, the rendered files, a real start.
        var primary = NodeFiles.Render(spec, placement, spec.PrimaryNode, verifier);
        var primaryData = layout.DataDirectory(spec.Primary);
        await Initdb.RunAsync(binaries, runner, primaryData, spec.Replication.Superuser, layout.SuperuserPasswordFile, CancellationToken.None);
        await ConfigInstaller.InstallAsync(primaryData, primary, user, CancellationToken.None);
        await StartStop.StartAsync(binaries, runner, primaryData, layout.LogFile(spec.Primary), TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(0L, await cluster.QueryAsync<long>(spec.Primary, "SELECT count(*) FROM pg_file_settings WHERE error IS NOT NULL"));
        foreach (var setting in PostgresConf.Settings(spec, placement, spec.PrimaryNode))
        {
            Assert.True(await cluster.QueryAsync<bool>(spec.Primary, $"SELECT EXISTS (SELECT FROM pg_settings WHERE name = '{setting.Name}')"), $"{setting.Name} is not a PostgreSQL 15 parameter");
        }

        Assert.Equal("replica", await cluster.QueryAsync<string>(spec.Primary, "SHOW wal_level"));
        Assert.Equal("on", await cluster.QueryAsync<string>(spec.Primary, "SHOW wal_log_hints"));
        // bootstrap.sql runs as written: the role from its verifier, the slots with WAL reserved.
        await SlotSql.RunBootstrapAsync(cluster.Access.DataSource(spec.Primary), primary, CancellationToken.None);
        var slots = spec.DownstreamsOf(spec.PrimaryNode).Count();
        Assert.Equal((long)slots, await cluster.QueryAsync<long>(spec.Primary, "SELECT count(*) FROM pg_replication_slots WHERE restart_lsn IS NOT NULL"));

        // Every replica's postgresql.conf, through the server's own parser, one setting at a time.
        foreach (var replica in spec.Replicas)
        {
            var files = NodeFiles.Render(spec, placement, replica, verifier);
            var dir = Path.Combine(layout.Root, "parse", replica.Name);
            user.CreateDirectory(Path.GetDirectoryName(dir)!);
            user.CreateDirectory(dir);
            await ConfigInstaller.InstallAsync(dir, files, user, CancellationToken.None);
            foreach (var setting in PostgresConf.Settings(spec, placement, replica))
            {
                var result = await runner.RunAsync(binaries.PathOf(PostgresBinaries.Postgres), ["-C", setting.Name, "-D", dir], CancellationToken.None);
                Assert.True(result.Succeeded, $"{replica.Name}: postgres -C {setting.Name} failed: {result.StandardError}");
                Assert.DoesNotContain("unrecognized", result.StandardError, StringComparison.Ordinal);
                Assert.DoesNotContain("invalid", result.StandardError, StringComparison.Ordinal);
                Assert.NotEmpty(result.StandardOutput.Trim());
            }

            var conninfo = await runner.RunAsync(binaries.PathOf(PostgresBinaries.Postgres), ["-C", "primary_conninfo", "-D", dir], CancellationToken.None);
            Assert.Contains($"application_name={replica.Name}", conninfo.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("passfile=", conninfo.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain(credentials.ReplicationPassword, conninfo.StandardOutput, StringComparison.Ordinal);
        }
    }
}

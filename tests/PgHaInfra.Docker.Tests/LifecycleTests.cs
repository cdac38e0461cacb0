using Npgsql;
using PgHaInfra.Deployment;

namespace PgHaInfra.Docker.Tests;

/// <summary>What happens to a deployed cluster afterwards: a changed setting, a new password, a dying server, a restart.</summary>
public sealed class LifecycleTests
{
    private static CancellationToken Within(CancellationTokenSource source) => source.Token;

    [DockerFact]
    [Trait("Category", "Docker")]
    public async Task A_changed_setting_replaces_every_container_and_the_data_and_streaming_survive()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = Within(timeout);
        var spec = await TestStacks.LoadAsync("local", ct);
        await using var cluster = await DeployedCluster.DeployAsync(spec, ct);
        Assert.True((await cluster.CheckAsync(ct)).Passed);
        var before = await SystemIdentifiersAsync(cluster, ct);
        await using (var access = cluster.Access())
        {
            await Execute(access.DataSource(spec.Primary), "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)", ct);
        }

        var changed = spec with { Parameters = spec.Parameters.Add("work_mem", "16MB") };
        var replaced = await cluster.UpdateAsync(changed, cluster.Secrets, ct);

        Assert.Equal(spec.Nodes.Select(n => n.Name).Order(), replaced.Order());
        var report = await cluster.CheckAsync(ct);
        Assert.True(report.Passed, report.Summary);
        // The same data directories (not new ones made from scratch), with the row and the new setting on every node.
        Assert.Equal(before, await SystemIdentifiersAsync(cluster, ct));
        await using (var access = cluster.Access())
        {
            foreach (var node in spec.Nodes)
            {
                Assert.Equal("42", await Scalar(access.DataSource(node.Name), "SELECT x FROM kept", ct));
                Assert.Equal("16MB", await Scalar(access.DataSource(node.Name), "SHOW work_mem", ct));
            }
        }
    }

    [DockerFact]
    [Trait("Category", "Docker")]
    public async Task A_replaced_superuser_password_reaches_the_database()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = Within(timeout);
        var spec = await TestStacks.LoadAsync("dev", ct);
        await using var cluster = await DeployedCluster.DeployAsync(spec, ct);
        var old = cluster.Secrets.SuperuserPassword;
        await using (var access = cluster.Access())
        {
            // Docker's health check (pg_isready) passes a moment before the start script's superuser.sql has run.
            Assert.Equal("1", await Eventually(() => Scalar(access.DataSource(spec.Primary), "SELECT 1", ct), ct));
        }

        var renewed = cluster.Secrets with { SuperuserPassword = Security.GeneratedPassword.New() };
        Assert.Equal(new[] { spec.Primary }, (await cluster.UpdateAsync(spec, renewed, ct)).ToArray());

        await using (var access = cluster.Access())
        {
            Assert.Equal("1", await Eventually(() => Scalar(access.DataSource(spec.Primary), "SELECT 1", ct), ct));
        }

        await using (var stale = cluster.Access(old))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Scalar(stale.DataSource(spec.Primary), "SELECT 1", ct));
            Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
        }
    }

    [DockerFact]
    [Trait("Category", "Docker")]
    public async Task A_replica_whose_server_is_killed_inside_its_container_is_restarted_by_docker_and_streams_again()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = Within(timeout);
        var spec = await TestStacks.LoadAsync("staging", ct);
        await using var cluster = await DeployedCluster.DeployAsync(spec, ct);
        var replica = spec.Replicas.First();
        var container = cluster.Deployment.Container(replica.Name);

        // SIGKILL to the postmaster from inside: no `docker stop`, so only the restart policy can bring it back.
        await cluster.ExecAsync(replica.Name, $"kill -KILL \"$(head -n 1 {ContainerLayout.DataDirectory}/postmaster.pid)\"", ct);
        var restarts = "0";
        while (restarts == "0")
        {
            await Task.Delay(100, ct);
            restarts = (await DockerCli.RunAsync(["inspect", "--format", "{{.RestartCount}}", container.Name], ct)).Trim();
        }

        await DeploymentApplier.WaitHealthyAsync(container, ct);
        var report = await cluster.CheckAsync(ct);
        Assert.True(report.Passed, report.Summary);
        await using var access = cluster.Access();
        Assert.Equal("True", await Scalar(access.DataSource(replica.Name), "SELECT pg_is_in_recovery()", ct));
    }

    [DockerFact]
    [Trait("Category", "Docker")]
    public async Task A_container_started_on_existing_data_keeps_the_role_its_data_says_not_the_declared_one()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = Within(timeout);
        var spec = await TestStacks.LoadAsync("staging", ct);
        await using var cluster = await DeployedCluster.DeployAsync(spec, ct);
        var replica = spec.Replicas.First();
        await using var access = cluster.Access();
        // Promoted by hand (as a failover would), while the stack still declares the old primary.
        await Execute(access.DataSource(replica.Name), "SELECT pg_promote(wait => true)", ct);

        await cluster.Applier.RecreateAsync(cluster.Deployment.Container(replica.Name), ct);

        NpgsqlConnection.ClearAllPools();
        Assert.Equal("False", await Eventually(() => Scalar(access.DataSource(replica.Name), "SELECT pg_is_in_recovery()", ct), ct));
        var log = await DockerCli.TryAsync(["logs", cluster.Deployment.Container(replica.Name).Name], ct);
        Assert.Contains($"pgha: {replica.Name}: existing data: starting as a primary", log.Stderr);
    }

    private static async Task<string> SystemIdentifiersAsync(DeployedCluster cluster, CancellationToken ct)
    {
        await using var access = cluster.Access();
        var ids = new List<string>();
        foreach (var node in cluster.Spec.Nodes)
        {
            ids.Add($"{node.Name}={await Eventually(() => Scalar(access.DataSource(node.Name), "SELECT system_identifier FROM pg_control_system()", ct), ct)}");
        }

        return string.Join(' ', ids);
    }

    private static async Task Execute(NpgsqlDataSource source, string sql, CancellationToken ct)
    {
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<string> Scalar(NpgsqlDataSource source, string sql, CancellationToken ct)
    {
        await using var command = source.CreateCommand(sql);
        return Convert.ToString(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>A server just (re)started may refuse for a moment: retried for up to 30 s.</summary>
    private static async Task<string> Eventually(Func<Task<string>> read, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception e) when (attempt < 150 && e is NpgsqlException && e is not PostgresException { SqlState: PostgresErrorCodes.InvalidPassword })
            {
                await Task.Delay(200, ct);
            }
        }
    }
}

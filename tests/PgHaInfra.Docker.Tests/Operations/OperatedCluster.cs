using System.Collections.Immutable;
using System.Diagnostics;
using Npgsql;
using PgHaInfra.Deployment;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Spec;

namespace PgHaInfra.Docker.Tests.Operations;

/// <summary>
/// A deployed stack opened the way `pgha docker` opens it (containers by label, credentials from the containers, a
/// state directory of its own), with what the tests check about it: where the endpoint names resolve, when each
/// container last started, and the continuous writer through the write endpoint.
/// </summary>
public sealed class OperatedCluster : IAsyncDisposable
{
    private readonly DirectoryInfo state;

    private OperatedCluster(DeployedCluster deployed, DockerCluster docker, DirectoryInfo state)
    {
        Deployed = deployed;
        Docker = docker;
        this.state = state;
    }

    public DeployedCluster Deployed { get; }

    public DockerCluster Docker { get; private set; }

    public ClusterSpec Spec => Docker.Spec;

    public DockerNodeControl Control(bool allowReclone = false) => new(Docker) { AllowReclone = allowReclone };

    public static async Task<OperatedCluster> DeployAsync(string stack, CancellationToken cancellationToken)
    {
        var spec = await OpsStacks.LoadAsync(stack, cancellationToken);
        var deployed = await DeployedCluster.DeployAsync(spec, cancellationToken);
        var state = Directory.CreateTempSubdirectory("ops-state-");
        try
        {
            var docker = await DockerCluster.OpenAsync(spec, state.FullName, DockerEngineAddress.Resolve(Environment.GetEnvironmentVariable(DockerEngineAddress.Variable)), cancellationToken);
            return new OperatedCluster(deployed, docker, state);
        }
        catch
        {
            await deployed.DisposeAsync();
            state.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>Opens the stack again, as the next `pgha docker` command would (the recorded primary read back).</summary>
    public async Task ReopenAsync(CancellationToken cancellationToken)
    {
        await Docker.DisposeAsync();
        Docker = await DockerCluster.OpenAsync(Deployed.Spec, state.FullName, DockerEngineAddress.Resolve(Environment.GetEnvironmentVariable(DockerEngineAddress.Variable)), cancellationToken);
    }

    public PromotionRunner Runner(DockerNodeControl control, List<StepTiming> steps) => new(Docker.Access, control, onStep: steps.Add);

    public ContinuousWriter Writer(string run)
    {
        var endpoints = ClusterEndpoints.For(Spec, Docker.Access.Addresses, Spec.Replication.Superuser);
        var builder = new NpgsqlConnectionStringBuilder(endpoints.Write) { Password = Docker.Credentials.SuperuserPassword };
        return new ContinuousWriter(builder.ConnectionString, run, TimeSpan.FromMilliseconds(10));
    }

    /// <summary>The addresses the write and the read name resolve to on the cluster network, and each node's address there.</summary>
    public async Task<(string Write, string Read, ImmutableDictionary<string, string> Nodes)> NamesAsync(CancellationToken cancellationToken)
    {
        var output = await Deployed.ClientAsync(
            $"getent ahostsv4 {Spec.Endpoints.Write} | awk '{{print $1}}' | sort -u | tr '\\n' ' '; echo; " +
            $"getent ahostsv4 {Spec.Endpoints.Read} | awk '{{print $1}}' | sort -u | tr '\\n' ' '; echo",
            cancellationToken);
        var lines = output.Split('\n');
        var nodes = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (var node in Spec.Nodes)
        {
            nodes[node.Name] = await Deployed.AddressOnNetworkAsync(node.Name, cancellationToken);
        }

        return (lines[0].Trim(), lines[1].Trim(), nodes.ToImmutable());
    }

    /// <summary>Asserts that the write name resolves to the primary alone and the read name to exactly the nodes that serve reads.</summary>
    public async Task AssertNamesFollowAsync(CancellationToken cancellationToken)
    {
        var (write, read, nodes) = await NamesAsync(cancellationToken);
        Assert.Equal(nodes[Spec.Primary], write);
        var readers = Spec.Nodes.Where(n => NetworkAliases.ServesReads(Spec, n)).Select(n => nodes[n.Name]).Order(StringComparer.Ordinal);
        Assert.Equal(string.Join(' ', readers), read);
    }

    /// <summary>When each node's container last started (docker inspect .State.StartedAt): a restart or a replacement changes it.</summary>
    public async Task<ImmutableDictionary<string, string>> StartedAtAsync(CancellationToken cancellationToken)
    {
        var started = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (var node in Spec.Nodes)
        {
            var name = Deployed.Deployment.Container(node.Name).Name;
            started[node.Name] = (await DockerCli.RunAsync(["inspect", "--format", "{{.Id}} {{.State.StartedAt}}", name], cancellationToken)).Trim();
        }

        return started.ToImmutable();
    }

    public async Task<string> ScalarAsync(string node, string sql, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var command = Docker.Access.DataSource(node).CreateCommand(sql);
                return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }
            catch (NpgsqlException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                Docker.Access.DataSource(node).Clear();
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Docker.DisposeAsync();
        await Deployed.DisposeAsync();
        state.Delete(recursive: true);
    }
}

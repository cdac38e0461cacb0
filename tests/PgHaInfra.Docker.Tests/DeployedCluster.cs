using System.Collections.Immutable;
using PgHaInfra.Deployment;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Verification;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Docker.Tests;

/// <summary>One stack applied to the engine, torn down (every object of its run removed) when disposed, even after a failure.</summary>
public sealed class DeployedCluster : IAsyncDisposable
{
    private DeployedCluster(ClusterSpec spec, DeploymentSecrets secrets, DockerDeployment deployment, DeploymentApplier applier)
    {
        Spec = spec;
        Secrets = secrets;
        Deployment = deployment;
        Applier = applier;
    }

    public ClusterSpec Spec { get; private set; }

    public DeploymentSecrets Secrets { get; private set; }

    public DockerDeployment Deployment { get; private set; }

    public DeploymentApplier Applier { get; }

    public static async Task<DeployedCluster> DeployAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        var secrets = DeploymentSecrets.Generate();
        var deployment = DockerDeployment.Build(spec, secrets);
        var cluster = new DeployedCluster(spec, secrets, deployment, new DeploymentApplier($"{spec.Stack}-{Guid.NewGuid():N}"[..24]));
        try
        {
            await cluster.Applier.ApplyAsync(deployment, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Applies a changed spec or secrets the way `pulumi up` would; returns the nodes whose containers were replaced.</summary>
    public async Task<ImmutableArray<string>> UpdateAsync(ClusterSpec spec, DeploymentSecrets secrets, CancellationToken cancellationToken)
    {
        var next = DockerDeployment.Build(spec, secrets);
        var replaced = await Applier.UpdateAsync(Deployment, next, cancellationToken);
        (Spec, Secrets, Deployment) = (spec, secrets, next);
        return replaced;
    }

    /// <summary>Through the published ports, as the Pulumi program's post-deploy check reaches them.</summary>
    public ClusterAccess Access(string? superuserPassword = null) => ClusterAccess.ThroughPublishedPorts(
        Spec,
        Spec.Docker.CheckHost,
        new ClusterCredentials(Spec.Replication.Superuser, superuserPassword ?? Secrets.SuperuserPassword, Spec.Replication.User, Secrets.ReplicationPassword));

    /// <summary>The same post-deploy StreamingCheck the Pulumi program runs.</summary>
    public async Task<VerificationReport> CheckAsync(CancellationToken cancellationToken)
    {
        await using var access = Access();
        return await StreamingCheck.RunAsync(access, new StreamingCheckOptions(TimeSpan.FromSeconds(60)), cancellationToken);
    }

    public async Task<string> ExecAsync(string node, string script, CancellationToken cancellationToken) =>
        await DockerCli.RunAsync(["exec", Deployment.Container(node).Name, "sh", "-c", script], cancellationToken);

    /// <summary>Runs a throw-away client container on the cluster network (labelled with the run, removed afterwards).</summary>
    public async Task<string> ClientAsync(string script, CancellationToken cancellationToken, params string[] environment) =>
        await DockerCli.RunAsync(
            ["run", "--rm", "--label", $"{DeploymentApplier.TestLabel}={Applier.TestRun}", "--network", Deployment.Network.Name,
             .. environment.SelectMany(e => new[] { "--env", e }), "--entrypoint", "sh", Spec.Postgres.Image, "-c", script],
            cancellationToken);

    public async Task<string> AddressOnNetworkAsync(string node, CancellationToken cancellationToken) =>
        (await DockerCli.RunAsync(
            ["inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{Deployment.Network.Name}\").IPAddress}}}}", Deployment.Container(node).Name],
            cancellationToken)).Trim();

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Applier.TeardownAsync(timeout.Token);
    }
}

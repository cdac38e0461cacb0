using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using PgHaInfra.Deployment;

namespace PgHaInfra.Docker.Tests;

/// <summary>
/// Applies a <see cref="DockerDeployment"/> to the engine the way the Pulumi Docker provider does, field by field:
/// network and volumes first; then each container after its upstream is healthy (siblings in parallel), created,
/// its uploads copied in before it starts, started, and waited on until healthy. A changed container is replaced
/// delete-before-replace: stopped with its grace, removed, created anew on the same volume. A test fixture only: users
/// deploy with `pulumi up`. Every object also carries the label pgha.test, so teardown finds what a run made.
/// </summary>
public sealed class DeploymentApplier(string testRun)
{
    public const string TestLabel = "pgha.test";

    public string TestRun { get; } = testRun;

    public async Task ApplyAsync(DockerDeployment deployment, CancellationToken cancellationToken)
    {
        var network = deployment.Network;
        await DockerCli.RunAsync(
            ["network", "create", "--driver", network.Driver, "--subnet", network.Subnet, .. Labels(network.Labels), network.Name], cancellationToken);
        await Task.WhenAll(deployment.Volumes.Select(v => DockerCli.RunAsync(["volume", "create", .. Labels(v.Labels), v.Name], cancellationToken)));
        await CreateInOrderAsync(deployment, deployment.Containers, cancellationToken);
    }

    /// <summary>Moves the deployment to <paramref name="next"/>: every container whose definition changed is replaced, in creation order.</summary>
    public async Task<ImmutableArray<string>> UpdateAsync(DockerDeployment current, DockerDeployment next, CancellationToken cancellationToken)
    {
        var changed = next.Containers.Where(c => Fingerprint(c) != Fingerprint(current.Container(c.Node))).ToImmutableArray();
        // Delete before replace, dependents first, as Pulumi orders deletions against dependencies.
        foreach (var container in changed.Reverse())
        {
            await RemoveAsync(current.Container(container.Node), cancellationToken);
        }

        await CreateInOrderAsync(next, changed, cancellationToken);
        return [.. changed.Select(c => c.Node)];
    }

    public static async Task RemoveAsync(ContainerSpec container, CancellationToken cancellationToken)
    {
        // The provider stops with destroy_grace_seconds before it removes with force.
        await DockerCli.TryAsync(["stop", "--time", container.StopGraceSeconds.ToString(CultureInfo.InvariantCulture), container.Name], cancellationToken);
        await DockerCli.RunAsync(["rm", "--force", container.Name], cancellationToken);
    }

    /// <summary>Removes one container and creates it again from the same definition, on the same volume.</summary>
    public async Task RecreateAsync(ContainerSpec container, CancellationToken cancellationToken)
    {
        await RemoveAsync(container, cancellationToken);
        await CreateAfterAsync(Task.CompletedTask, container, cancellationToken);
    }

    private async Task CreateInOrderAsync(DockerDeployment deployment, IEnumerable<ContainerSpec> containers, CancellationToken cancellationToken)
    {
        var started = new Dictionary<string, Task>(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            var upstream = container.Upstream is { } name && started.TryGetValue(name, out var task) ? task : Task.CompletedTask;
            started[container.Node] = CreateAfterAsync(upstream, container, cancellationToken);
        }

        await Task.WhenAll(started.Values);
    }

    private async Task CreateAfterAsync(Task upstream, ContainerSpec container, CancellationToken cancellationToken)
    {
        await upstream;
        await DockerCli.RunAsync(CreateArguments(container), cancellationToken);
        await DockerCli.RunAsync(["cp", "-", $"{container.Name}:/"], cancellationToken, UploadArchive.Of(container.Uploads));
        await DockerCli.RunAsync(["start", container.Name], cancellationToken);
        await WaitHealthyAsync(container, cancellationToken);
    }

    /// <summary>The provider's wait = true: created means healthy, within wait_timeout.</summary>
    public static async Task WaitHealthyAsync(ContainerSpec container, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(container.HealthyWithinSeconds));
        var status = "";
        try
        {
            while (true)
            {
                status = (await DockerCli.RunAsync(["inspect", "--format", "{{.State.Status}} {{.State.Health.Status}}", container.Name], deadline.Token)).Trim();
                if (status == "running healthy")
                {
                    return;
                }

                await Task.Delay(100, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var logs = await DockerCli.TryAsync(["logs", "--tail", "30", container.Name], CancellationToken.None);
            throw new TimeoutException($"container {container.Name} not healthy within {container.HealthyWithinSeconds} s (last: {status}); its log:\n{logs.Stdout}{logs.Stderr}");
        }
    }

    public IEnumerable<string> CreateArguments(ContainerSpec c)
    {
        var health = c.HealthCheck;
        var args = new List<string>
        {
            "create", "--name", c.Name, "--hostname", c.Hostname,
            "--entrypoint", c.Entrypoint[0],
            "--mount", $"type=volume,source={c.Data.Volume},target={c.Data.ContainerPath}",
            "--network", c.Network.Network,
            // The CLI takes the test as one shell command; the provider passes the same words as CMD.
            "--health-cmd", string.Join(' ', health.Test.Skip(1)),
            "--health-interval", health.Interval, "--health-timeout", health.Timeout,
            "--health-start-period", health.StartPeriod, "--health-retries", health.Retries.ToString(CultureInfo.InvariantCulture),
            "--restart", c.RestartPolicy,
            "--stop-signal", c.StopSignal, "--stop-timeout", c.StopGraceSeconds.ToString(CultureInfo.InvariantCulture),
        };
        if (c.Init)
        {
            args.Add("--init");
        }

        args.AddRange(c.CreateEnvironment.SelectMany(e => new[] { "--env", e.Assignment.Text }));
        args.AddRange(c.CreateAliases.SelectMany(a => new[] { "--network-alias", a }));
        args.AddRange(c.Ports.Select(p => $"{p.HostAddress}:{p.External}:{p.Internal}/{p.Protocol}").SelectMany(p => new[] { "--publish", p }));
        args.AddRange(Labels(c.Labels));
        args.Add(c.Image);
        args.AddRange(c.Entrypoint.Skip(1));
        args.AddRange(c.Command);
        return args;
    }

    private IEnumerable<string> Labels(ImmutableSortedDictionary<string, string> labels) =>
        labels.Add(TestLabel, TestRun).SelectMany(l => new[] { "--label", $"{l.Key}={l.Value}" });

    /// <summary>
    /// A container's definition, secrets included, as the provider compares inputs: without the create-only bootstrap
    /// declaration (the program's ignoreChanges) and without the upstream, which is only a dependency, not an input.
    /// </summary>
    public static string Fingerprint(ContainerSpec container) =>
        JsonSerializer.Serialize(container with { Bootstrap = Created, Upstream = null });

    private static readonly BootstrapDeclaration Created = new(BootstrapDeclaration.InitDb, null, "", []);

    /// <summary>Removes every container, network and volume of this run.</summary>
    public async Task TeardownAsync(CancellationToken cancellationToken)
    {
        var filter = $"label={TestLabel}={TestRun}";
        var containers = await Ids(["ps", "-aq", "--filter", filter], cancellationToken);
        if (containers.Length > 0)
        {
            await DockerCli.RunAsync(["rm", "--force", "--volumes", .. containers], cancellationToken);
        }

        var networks = await Ids(["network", "ls", "-q", "--filter", filter], cancellationToken);
        if (networks.Length > 0)
        {
            await DockerCli.RunAsync(["network", "rm", .. networks], cancellationToken);
        }

        var volumes = await Ids(["volume", "ls", "-q", "--filter", filter], cancellationToken);
        if (volumes.Length > 0)
        {
            await DockerCli.RunAsync(["volume", "rm", "--force", .. volumes], cancellationToken);
        }
    }

    /// <summary>What of this run is left: "containers: ..., networks: ..., volumes: ..." with empty lists when nothing is.</summary>
    public async Task<string> LeftoversAsync(CancellationToken cancellationToken)
    {
        var filter = $"label={TestLabel}={TestRun}";
        var containers = await Ids(["ps", "-aq", "--filter", filter], cancellationToken);
        var networks = await Ids(["network", "ls", "-q", "--filter", filter], cancellationToken);
        var volumes = await Ids(["volume", "ls", "-q", "--filter", filter], cancellationToken);
        return $"containers: {string.Join(' ', containers)}; networks: {string.Join(' ', networks)}; volumes: {string.Join(' ', volumes)}";
    }

    private static async Task<string[]> Ids(string[] args, CancellationToken cancellationToken) =>
        (await DockerCli.RunAsync(args, cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

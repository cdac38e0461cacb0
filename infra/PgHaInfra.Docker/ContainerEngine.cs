using System.Collections.Immutable;
using System.Formats.Tar;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using PgHaInfra.Deployment;
using PgHaInfra.Spec;

namespace PgHaInfra.Docker;

/// <summary>
/// The Docker engine API calls `pgha docker` makes (Docker.DotNet, which speaks this engine's API 1.41): find a
/// stack's containers by label, stop, kill, start, exec, read a file, run a short-lived maintenance container on a
/// node's volume, and re-attach a container to the cluster network with other aliases.
/// </summary>
public sealed class ContainerEngine : IDisposable
{
    /// <summary>Marks the short-lived maintenance containers, so that a teardown by label finds any left behind.</summary>
    public const string MaintenanceLabel = "pgha.maintenance";

    private readonly DockerClient client;

    public ContainerEngine(Uri address) => client = new DockerClientConfiguration(address).CreateClient();

    /// <summary>The stack's node containers by node name; a node without a container is missing from the map.</summary>
    public async Task<ImmutableDictionary<string, DeployedNode>> FindAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        IList<ContainerListResponse> listed;
        try
        {
            listed = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool>
                    {
                        [$"{DeploymentLabels.Stack}={spec.Stack}"] = true,
                        [$"{DeploymentLabels.Cluster}={spec.Name}"] = true,
                        [$"{DeploymentLabels.Kind}=container"] = true,
                    },
                },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or DockerApiException or IOException or TimeoutException)
        {
            throw new DockerOperationException($"the Docker engine at {client.Configuration.EndpointBaseUri} did not answer ({e.Message}); set {DockerEngineAddress.Variable} to the engine the stack runs on", e);
        }

        var nodes = ImmutableDictionary.CreateBuilder<string, DeployedNode>(StringComparer.Ordinal);
        foreach (var container in listed.Where(c => c.Labels.ContainsKey(DeploymentLabels.Node) && !c.Labels.ContainsKey(MaintenanceLabel)))
        {
            nodes[container.Labels[DeploymentLabels.Node]] = await InspectAsync(spec, container.ID, cancellationToken).ConfigureAwait(false);
        }

        return nodes.ToImmutable();
    }

    public async Task<DeployedNode> InspectAsync(ClusterSpec spec, string id, CancellationToken cancellationToken)
    {
        var inspected = await client.Containers.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false);
        var node = inspected.Config.Labels[DeploymentLabels.Node];
        var volume = inspected.Mounts.FirstOrDefault(m => m.Destination == ContainerLayout.VolumeDirectory)?.Name
            ?? throw new DockerOperationException($"container {inspected.Name.TrimStart('/')} of node {node} has no volume at {ContainerLayout.VolumeDirectory}");
        var network = inspected.NetworkSettings.Networks.TryGetValue(spec.Network.Name, out var endpoint) ? endpoint : null;
        var shortId = inspected.ID[..12];
        return new DeployedNode(
            node, inspected.ID, inspected.Name.TrimStart('/'), inspected.Config.Image, inspected.State.Running, volume,
            network?.NetworkID ?? spec.Network.Name,
            [.. (network?.Aliases ?? []).Where(a => a != shortId && a != inspected.Config.Hostname).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }

    public async Task<CommandResult> ExecAsync(string id, string user, IList<string> command, IList<string>? environment, CancellationToken cancellationToken)
    {
        var created = await client.Exec.ExecCreateContainerAsync(id, new ContainerExecCreateParameters
        {
            Cmd = command,
            User = user,
            Env = environment ?? [],
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken).ConfigureAwait(false);
        using var stream = await client.Exec.StartAndAttachContainerExecAsync(created.ID, false, cancellationToken).ConfigureAwait(false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
        var inspected = await client.Exec.InspectContainerExecAsync(created.ID, cancellationToken).ConfigureAwait(false);
        return new CommandResult(inspected.ExitCode, stdout, stderr);
    }

    /// <summary>
    /// Runs <paramref name="script"/> (sh, as root) in a short-lived container of the node's image with the node's
    /// volume and the cluster network, while the node's own container is stopped: pg_controldata, pg_rewind, a
    /// base backup, the fence files. <paramref name="files"/> are copied in before it starts (0600, root's), so no
    /// secret travels in its environment or command line.
    /// </summary>
    public async Task<CommandResult> RunOnVolumeAsync(ClusterSpec spec, DeployedNode node, string script, IReadOnlyDictionary<string, string> files,
        IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = node.Image,
            Entrypoint = ["sh", "-c", script],
            Env = [.. environment.Select(e => $"{e.Key}={e.Value}")],
            User = "root",
            Labels = new Dictionary<string, string>(DeploymentLabels.For(spec, "maintenance"), StringComparer.Ordinal) { [MaintenanceLabel] = node.Node },
            HostConfig = new HostConfig
            {
                NetworkMode = spec.Network.Name,
                Binds = [$"{node.Volume}:{ContainerLayout.VolumeDirectory}"],
            },
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            if (files.Count > 0)
            {
                await client.Containers.ExtractArchiveToContainerAsync(created.ID, new ContainerPathStatParameters { Path = "/" }, Archive(files), cancellationToken).ConfigureAwait(false);
            }

            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
            var waited = await client.Containers.WaitContainerAsync(created.ID, cancellationToken).ConfigureAwait(false);
            using var logs = await client.Containers.GetContainerLogsAsync(created.ID, false, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, cancellationToken).ConfigureAwait(false);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
            return new CommandResult(waited.StatusCode, stdout, stderr);
        }
        finally
        {
            // Removed even when cancelled: on a token of its own.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, cleanup.Token).ConfigureAwait(false);
        }
    }

    /// <summary>A file of a container (running or not), as text.</summary>
    public async Task<string> ReadFileAsync(string id, string path, CancellationToken cancellationToken)
    {
        var archive = await client.Containers.GetArchiveFromContainerAsync(id, new GetArchiveFromContainerParameters { Path = path }, false, cancellationToken).ConfigureAwait(false);
        await using var stream = archive.Stream;
        using var reader = new TarReader(stream);
        var entry = await reader.GetNextEntryAsync(copyData: true, cancellationToken).ConfigureAwait(false);
        if (entry?.DataStream is null)
        {
            throw new DockerOperationException($"{path} in container {id[..12]} is not a file");
        }

        using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
        return await text.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>docker stop: the stop signal (SIGINT, PostgreSQL's fast shutdown), killed after <paramref name="grace"/>.</summary>
    public Task StopAsync(string id, TimeSpan grace, CancellationToken cancellationToken) =>
        client.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)grace.TotalSeconds }, cancellationToken);

    /// <summary>docker kill with a signal, then waits until the container has exited.</summary>
    public async Task KillAsync(string id, string signal, CancellationToken cancellationToken)
    {
        try
        {
            await client.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = signal }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.ResponseBody.Contains("is not running", StringComparison.Ordinal))
        {
            return;
        }

        await client.Containers.WaitContainerAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public Task StartAsync(string id, CancellationToken cancellationToken) =>
        client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);

    public async Task<bool> IsRunningAsync(string id, CancellationToken cancellationToken) =>
        (await client.Containers.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false)).State.Running;

    /// <summary>
    /// Gives the container exactly <paramref name="aliases"/> on the network: Docker cannot change an endpoint's
    /// aliases in place, so it is disconnected and connected again (the container is not recreated or restarted; its
    /// connections on that network break, and its published ports pause for the moment in between).
    /// </summary>
    public async Task SetAliasesAsync(DeployedNode node, string network, IReadOnlyCollection<string> aliases, CancellationToken cancellationToken)
    {
        try
        {
            await client.Networks.DisconnectNetworkAsync(network, new NetworkDisconnectParameters { Container = node.Id, Force = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.ResponseBody.Contains("is not connected", StringComparison.Ordinal))
        {
            // Already off the network: connecting is all that is left.
        }

        await client.Networks.ConnectNetworkAsync(network, new NetworkConnectParameters
        {
            Container = node.Id,
            EndpointConfig = new EndpointSettings { Aliases = [.. aliases] },
        }, cancellationToken).ConfigureAwait(false);
    }

    private static MemoryStream Archive(IReadOnlyDictionary<string, string> files)
    {
        var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, path.TrimStart('/'))
                {
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                };
                writer.WriteEntry(entry);
            }
        }

        buffer.Position = 0;
        return buffer;
    }

    public void Dispose() => client.Dispose();
}

using System.Collections.Immutable;
using System.Globalization;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>
/// Every Docker object a stack deploys: the network, the image, a volume per node and a container per node (in
/// creation order, each after its upstream). Built purely from the spec and the generated secrets, with no Pulumi in
/// it: the Pulumi program maps it one to one onto resources, `pgha render --deployment` prints it, and the Docker tests
/// apply it to a real engine. <see cref="DeploymentRules"/> holds the provider's input rules it always satisfies.
/// </summary>
public sealed record DockerDeployment(
    string Stack,
    string Cluster,
    DockerNetwork Network,
    DockerImage Image,
    ImmutableArray<DockerVolume> Volumes,
    ImmutableArray<ContainerSpec> Containers)
{
    /// <summary>Seconds the provider waits for a container to report healthy before the step fails.</summary>
    public const int HealthyWithinSeconds = 420;

    /// <summary>Docker's restart policy for every node: a server that dies comes back; one stopped on purpose stays down.</summary>
    public const string RestartPolicy = "unless-stopped";

    public ContainerSpec Container(string node) =>
        Containers.FirstOrDefault(c => c.Node == node) ?? throw new ArgumentException($"deployment {Stack} has no container for node {node}", nameof(node));

    /// <exception cref="DeploymentRuleException">The description breaks one of the provider's input rules.</exception>
    public static DockerDeployment Build(ClusterSpec spec, DeploymentSecrets secrets)
    {
        var deployment = new DockerDeployment(
            spec.Stack,
            spec.Name,
            new DockerNetwork(spec.Network.Name, "bridge", spec.Network.Subnet, DeploymentLabels.For(spec, "network")),
            new DockerImage(spec.Postgres.Image, KeepLocally: true),
            [.. spec.Nodes.Select(n => Volume(spec, n))],
            [.. spec.InCreationOrder().Select(n => Container(spec, n, secrets))]);
        DeploymentRules.Enforce(deployment);
        return deployment;
    }

    public static string VolumeName(ClusterSpec spec, NodeSpec node) => $"{spec.Name}-{node.Name}-data";

    public static string ContainerName(ClusterSpec spec, NodeSpec node) => $"{spec.Name}-{node.Name}";

    // Production data outlives `pulumi destroy` and refuses deletion.
    private static DockerVolume Volume(ClusterSpec spec, NodeSpec node) =>
        new(VolumeName(spec, node), node.Name, DeploymentLabels.For(spec, "volume", node), spec.Environment == DeploymentEnvironment.Production);

    private static ContainerSpec Container(ClusterSpec spec, NodeSpec node, DeploymentSecrets secrets)
    {
        var placement = ClusterPlacement.DockerNetwork(spec);
        var port = ClusterPlacement.ContainerPort.ToString(CultureInfo.InvariantCulture);
        // Every upload is the same whichever node is primary (the provider replaces a container whose uploads change):
        // the role's settings are in the data, written by the first bootstrap and then by pgha's operations.
        ImmutableArray<Upload> uploads =
        [
            new(ContainerLayout.StartScript, DeploymentValue.Plain(NodeStartScript.Render(spec, node)), Upload.Executable),
            new(ContainerLayout.Passfile, DeploymentValue.Secret(Passfile.Content(spec.Replication.User, secrets.ReplicationPassword)), Upload.Private),
            new(ContainerLayout.PathOf(NodeFiles.PostgresqlConf), DeploymentValue.Plain(RoleConf.RenderUploaded(spec, placement, node))),
            new(ContainerLayout.PathOf(NodeFiles.PgHbaConf), DeploymentValue.Plain(PgHba.Render(spec, placement))),
            new(ContainerLayout.PathOf(NodeFiles.BootstrapSql), DeploymentValue.Secret(ContainerBootstrapSql.Render(spec, secrets.ReplicationVerifier)), Upload.Private),
            new(ContainerLayout.SuperuserSql, DeploymentValue.Secret(SuperuserSql.Render(spec, secrets.SuperuserVerifier)), Upload.Private),
            new(ContainerLayout.SuperuserPassfile, DeploymentValue.Secret(Passfile.Content(spec.Replication.Superuser, secrets.SuperuserPassword)), Upload.Private),
        ];
        return new ContainerSpec(
            node.Name,
            spec.UpstreamOf(node)?.Name,
            ContainerName(spec, node),
            node.Name,
            spec.Postgres.Image,
            [ContainerLayout.StartScript],
            ContainerLayout.ServerCommand(spec),
            [new EnvironmentVariable("PGDATA", DeploymentValue.Plain(ContainerLayout.DataDirectory))],
            uploads,
            DeploymentLabels.For(spec, "container", node),
            new VolumeMount(VolumeName(spec, node), ContainerLayout.VolumeDirectory),
            new NetworkAttachment(spec.Network.Name, NetworkAliases.For(spec, node)),
            BootstrapDeclaration.For(spec, node),
            [new PublishedPort(ClusterPlacement.ContainerPort, node.Port, spec.Docker.PublishAddress)],
            new HealthCheck(["CMD", $"{ContainerLayout.BinDirectory(spec)}/pg_isready", "-q", "-h", "127.0.0.1", "-p", port], "1s", "3s", "2m0s", 5),
            RestartPolicy,
            Init: true,
            StopSignal: "SIGINT",
            StopGraceSeconds: 60,
            DeleteBeforeReplace: true,
            HealthyWithinSeconds);
    }
}

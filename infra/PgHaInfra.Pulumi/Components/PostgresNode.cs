using System.Collections.Immutable;
using System.Globalization;
using PgHaInfra.Pulumi.Containers;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;
using Pulumi;
using Pulumi.Docker;
using Pulumi.Docker.Inputs;

namespace PgHaInfra.Pulumi.Components;

/// <summary>
/// One PostgreSQL server: a data volume and a container that runs the rendered postgresql.conf and pg_hba.conf.
/// The primary initialises through the image's entrypoint; a replica clones its upstream with pg_basebackup.
/// </summary>
public sealed class PostgresNode : ComponentResource
{
    public const string Type = "pgha:index:PostgresNode";

    /// <summary>Seconds the Docker provider waits for the container to report healthy before the step fails.</summary>
    public const int HealthyWithinSeconds = 420;

    /// <summary>The node's rendered files, as uploaded (bootstrap.sql of the primary gets the real verifier at apply time).</summary>
    public NodeFiles Files { get; }

    public string StartScript { get; }

    public ImmutableArray<string> Aliases { get; }

    public Volume Volume { get; }

    public Container Container { get; }

    /// <summary>host:port of the node's published port.</summary>
    public Output<string> PublishedAddress { get; }

    public PostgresNode(string name, PostgresNodeArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        var (spec, node) = (args.Spec, args.Node);
        var placement = ClusterPlacement.DockerNetwork(spec);
        var isPrimary = spec.IsPrimary(node);
        var production = spec.Environment == DeploymentEnvironment.Production;
        Files = NodeFiles.Render(spec, placement, node, BootstrapSql.VerifierPlaceholder);
        StartScript = NodeStartScript.Render(spec, node);
        Aliases = NetworkAliases.For(spec, node);

        // Data outlives a container replacement; in production it also survives `pulumi destroy` and refuses deletion.
        Volume = new Volume($"{name}-data", new VolumeArgs
        {
            Name = $"{spec.Name}-{node.Name}-data",
            Labels =
            {
                new VolumeLabelArgs { Label = "pgha.cluster", Value = spec.Name },
                new VolumeLabelArgs { Label = "pgha.node", Value = node.Name },
            },
        }, new CustomResourceOptions { Parent = this, Protect = production, RetainOnDelete = production });

        var uploads = new InputList<ContainerUploadArgs>
        {
            new ContainerUploadArgs { File = ContainerPaths.StartScript, Content = StartScript, Executable = true },
            new ContainerUploadArgs
            {
                File = ContainerPaths.Passfile,
                Content = Output.CreateSecret(args.ReplicationPassword.Apply(p => Passfile.Content(spec.Replication.User, p))),
            },
        };
        foreach (var file in Files.Files)
        {
            var content = ContentOf(file, args, placement);
            uploads.Add(new ContainerUploadArgs { File = ContainerPaths.PathOf(file.Name), Content = content });
            if (isPrimary && file.Name == NodeFiles.BootstrapSql)
            {
                uploads.Add(new ContainerUploadArgs { File = ContainerPaths.InitdbBootstrap, Content = content.ToOutput().Apply(InitdbBootstrap.Content) });
            }
        }

        var envs = new InputList<string> { $"PGDATA={ContainerPaths.DataDirectory}" };
        if (isPrimary)
        {
            envs.Add($"POSTGRES_USER={spec.Replication.Superuser}");
            envs.Add(Output.CreateSecret(args.SuperuserPassword.Apply(p => $"POSTGRES_PASSWORD={p}")));
        }

        // The container's name and published port are fixed, so a replacement (any change of its rendered files)
        // must remove the old container first; the data stays on the volume.
        var containerOptions = new CustomResourceOptions { Parent = this, DeleteBeforeReplace = true };
        if (args.Upstream is not null)
        {
            containerOptions.DependsOn = args.Upstream;
        }

        Container = new Container($"{name}-server", new ContainerArgs
        {
            Name = $"{spec.Name}-{node.Name}",
            Hostname = node.Name,
            Image = args.ImageId,
            Entrypoints = { ContainerPaths.StartScript },
            Command = ContainerPaths.ServerCommand.ToList(),
            Envs = envs,
            Uploads = uploads,
            // tini as PID 1 reaps the start script's detached bootstrap job instead of the postmaster.
            Init = true,
            Restart = "unless-stopped",
            Labels =
            {
                Label("pgha.cluster", spec.Name),
                Label("pgha.node", node.Name),
                Label("pgha.role", isPrimary ? "primary" : $"replica-of-{spec.UpstreamOf(node)!.Name}"),
            },
            Volumes = { new ContainerVolumeArgs { VolumeName = Volume.Name, ContainerPath = ContainerPaths.DataDirectory } },
            NetworksAdvanced = { new ContainerNetworksAdvancedArgs { Name = args.NetworkName, Aliases = Aliases.ToList() } },
            Ports =
            {
                new ContainerPortArgs { Internal = ClusterPlacement.ContainerPort, External = node.Port, Ip = args.PublishAddress, Protocol = "tcp" },
            },
            Healthcheck = new ContainerHealthcheckArgs
            {
                // Over TCP: during the image's first initialisation only a socket-only temporary server runs.
                Tests = { "CMD", "pg_isready", "-q", "-h", "127.0.0.1", "-p", ClusterPlacement.ContainerPort.ToString(CultureInfo.InvariantCulture) },
                Interval = "2s",
                Timeout = "3s",
                StartPeriod = "120s",
                Retries = 5,
            },
            Wait = true,
            WaitTimeout = HealthyWithinSeconds,
        }, containerOptions);

        PublishedAddress = Output.Create($"{args.PublishAddress}:{node.Port.ToString(CultureInfo.InvariantCulture)}");
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["containerName"] = Container.Name,
            ["aliases"] = Aliases,
            ["publishedAddress"] = PublishedAddress,
            ["role"] = isPrimary ? "primary" : $"replica of {spec.UpstreamOf(node)!.Name}",
        });
    }

    /// <summary>A file that holds the verifier placeholder is rendered again with the real verifier, as a secret.</summary>
    private static Input<string> ContentOf(RenderedFile file, PostgresNodeArgs args, ClusterPlacement placement) =>
        file.Content.Contains(BootstrapSql.VerifierPlaceholder, StringComparison.Ordinal)
            ? Output.CreateSecret(args.ReplicationVerifier.Apply(v => NodeFiles.Render(args.Spec, placement, args.Node, v)[file.Name]))
            : file.Content;

    private static ContainerLabelArgs Label(string label, string value) => new() { Label = label, Value = value };
}

using System.Collections.Immutable;
using System.Globalization;
using PgHaInfra.Deployment;
using Pulumi;
using Pulumi.Docker;
using Pulumi.Docker.Inputs;

namespace PgHaInfra.Pulumi.Components;

/// <summary>
/// One node: the description's volume and container, mapped field by field onto Pulumi.Docker resources. It decides
/// nothing: every value comes from <see cref="ContainerSpec"/> and <see cref="DockerVolume"/> (secret ones from the
/// description built with the generated secrets, marked secret here as they are there).
/// </summary>
public sealed class PostgresNode : ComponentResource
{
    public const string Type = "pgha:index:PostgresNode";

    public ContainerSpec Shape { get; }

    public Volume Volume { get; }

    public Container Container { get; }

    /// <summary>host:port of the node's published port.</summary>
    public Output<string> PublishedAddress { get; }

    public PostgresNode(string name, PostgresNodeArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        var c = Shape = args.Shape;
        var v = args.Volume;
        var volumeArgs = new VolumeArgs { Name = v.Name };
        foreach (var (label, value) in v.Labels)
        {
            volumeArgs.Labels.Add(new VolumeLabelArgs { Label = label, Value = value });
        }

        Volume = new Volume($"{name}-data", volumeArgs, new CustomResourceOptions { Parent = this, Protect = v.Retain, RetainOnDelete = v.Retain });

        var containerArgs = new ContainerArgs
        {
            Name = c.Name,
            Hostname = c.Hostname,
            Image = args.ImageId,
            Entrypoints = c.Entrypoint.ToList(),
            Command = c.Command.ToList(),
            Init = c.Init,
            Restart = c.RestartPolicy,
            StopSignal = c.StopSignal,
            StopTimeout = c.StopGraceSeconds,
            DestroyGraceSeconds = c.StopGraceSeconds,
            Volumes = { new ContainerVolumeArgs { VolumeName = Volume.Name, ContainerPath = c.Data.ContainerPath } },
            NetworksAdvanced = { new ContainerNetworksAdvancedArgs { Name = args.NetworkName, Aliases = c.CreateAliases.ToList() } },
            Healthcheck = new ContainerHealthcheckArgs
            {
                Tests = c.HealthCheck.Test.ToList(),
                Interval = c.HealthCheck.Interval,
                Timeout = c.HealthCheck.Timeout,
                StartPeriod = c.HealthCheck.StartPeriod,
                Retries = c.HealthCheck.Retries,
            },
            Wait = true,
            WaitTimeout = c.HealthyWithinSeconds,
        };
        for (var i = 0; i < c.CreateEnvironment.Length; i++)
        {
            containerArgs.Envs.Add(Value(c.CreateEnvironment[i].Assignment, args.Actual, i, (spec, index) => spec.CreateEnvironment[index].Assignment));
        }

        for (var i = 0; i < c.Uploads.Length; i++)
        {
            var upload = c.Uploads[i];
            containerArgs.Uploads.Add(new ContainerUploadArgs
            {
                File = upload.Path,
                Content = Value(upload.Content, args.Actual, i, (spec, index) => spec.Uploads[index].Content),
                Permissions = upload.Permissions,
            });
        }

        foreach (var (label, value) in c.Labels)
        {
            containerArgs.Labels.Add(new ContainerLabelArgs { Label = label, Value = value });
        }

        foreach (var port in c.Ports)
        {
            containerArgs.Ports.Add(new ContainerPortArgs { Internal = port.Internal, External = port.External, Ip = port.HostAddress, Protocol = port.Protocol });
        }

        // The bootstrap declaration (in envs and the endpoint aliases) is create-only: after a failover the data and
        // pgha's operations own the role, and a changed ForceNew input would replace the new primary's container.
        var containerOptions = new CustomResourceOptions
        {
            Parent = this,
            DeleteBeforeReplace = c.DeleteBeforeReplace,
            IgnoreChanges = [.. BootstrapDeclaration.CreateOnlyInputs],
        };
        if (args.Upstream is not null)
        {
            containerOptions.DependsOn = args.Upstream;
        }

        Container = new Container($"{name}-server", containerArgs, containerOptions);
        var published = c.Ports[0];
        PublishedAddress = Output.Create($"{published.HostAddress}:{published.External.ToString(CultureInfo.InvariantCulture)}");
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["containerName"] = Container.Name,
            ["aliases"] = c.CreateAliases,
            ["publishedAddress"] = PublishedAddress,
            ["upstream"] = c.Upstream,
        });
    }

    /// <summary>A plain value as it is; a secret one from the description built with the real secrets, as a secret.</summary>
    private static Input<string> Value(DeploymentValue shape, Output<ContainerSpec> actual, int index, Func<ContainerSpec, int, DeploymentValue> select) =>
        shape.IsSecret ? Output.CreateSecret(actual.Apply(spec => select(spec, index).Text)) : shape.Text;
}

using System.Collections.Immutable;
using System.Globalization;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Pulumi.Components;
using PgHaInfra.Pulumi.Configuration;
using PgHaInfra.Deployment;
using PgHaInfra.Pulumi.Verification;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;
using PgHaInfra.Stack;
using Pulumi;

namespace PgHaInfra.Pulumi;

/// <summary>
/// The program: reads the stack's configuration into a ClusterSpec (the same validation and error texts as
/// `pgha validate`), declares the component of its topology, and exports the endpoints and the replication status.
/// </summary>
public static class ClusterProgram
{
    public static Task<IDictionary<string, object?>> DeployAsync(IStreamingCheck check) =>
        Task.FromResult(Deploy(ReadSpec(global::Pulumi.Deployment.Instance.StackName), check));

    /// <exception cref="RunException">The stack has mistakes: every one, in pgha's words, and no stack trace.</exception>
    public static ClusterSpec ReadSpec(string stack)
    {
        try
        {
            return StackSpec.Read(PulumiStackConfig.Read(stack));
        }
        catch (StackValidationException e)
        {
            throw new RunException(e.Message);
        }
    }

    public static IDictionary<string, object?> Deploy(ClusterSpec spec, IStreamingCheck check)
    {
        var args = new ClusterArgs(spec, new PostDeployCheck(check, PostDeployCheck.DefaultDeadline));
        var cluster = Create(spec.Name, args);
        return Outputs(cluster, args);
    }

    /// <summary>The component of the stack's topology.</summary>
    public static PostgresCluster Create(string name, ClusterArgs args, ComponentResourceOptions? options = null) => args.Spec.Topology switch
    {
        Topology.Single => new SingleCluster(name, args, options),
        Topology.Async => new AsyncCluster(name, args, options),
        Topology.Sync => new SyncCluster(name, args, options),
        Topology.Cascading => new CascadingCluster(name, args, options),
        _ => throw new ArgumentOutOfRangeException(nameof(args), args.Spec.Topology, "no component for this topology"),
    };

    private static Dictionary<string, object?> Outputs(PostgresCluster cluster, ClusterArgs args)
    {
        var spec = args.Spec;
        var port = ClusterPlacement.ContainerPort.ToString(CultureInfo.InvariantCulture);
        var published = spec.Nodes.ToImmutableDictionary(n => n.Name, n => new NodeAddress(spec.Docker.PublishAddress, n.Port));
        string Published(NodeSpec node) => $"{spec.Docker.PublishAddress}:{node.Port.ToString(CultureInfo.InvariantCulture)}";
        var superuser = spec.Replication.Superuser;
        var onHost = ClusterEndpoints.For(spec, published, superuser);
        var onNetwork = ClusterEndpoints.For(spec, ClusterPlacement.DockerNetwork(spec).Addresses, superuser);

        return new Dictionary<string, object?>
        {
            ["primary"] = spec.Primary,
            ["writeEndpoint"] = new Dictionary<string, object?>
            {
                ["name"] = spec.Endpoints.Write,
                ["address"] = $"{spec.Endpoints.Write}:{port}",
                ["published"] = Published(spec.PrimaryNode),
            },
            ["readEndpoint"] = new Dictionary<string, object?>
            {
                ["name"] = spec.Endpoints.Read,
                ["address"] = $"{spec.Endpoints.Read}:{port}",
                ["published"] = spec.Nodes.Where(n => NetworkAliases.ServesReads(spec, n)).Select(Published).ToImmutableArray(),
                ["resolvesTo"] = NetworkAliases.ReadReason(spec),
            },
            ["nodes"] = spec.Nodes.ToImmutableSortedDictionary(
                n => n.Name,
                n => (object)new Dictionary<string, object?>
                {
                    ["dnsName"] = ClusterPlacement.DockerHostName(spec, n),
                    ["published"] = Published(n),
                    ["upstream"] = spec.UpstreamOf(n)?.Name,
                },
                StringComparer.Ordinal),
            // No password in them (applications bring their own); secret all the same, as they map the deployment.
            ["connectionStrings"] = Output.CreateSecret(new Dictionary<string, string>
            {
                ["write"] = onHost.Write,
                ["read"] = onHost.Read,
                ["writeLibpq"] = onHost.WriteLibpq,
                ["readLibpq"] = onHost.ReadLibpq,
                ["networkWrite"] = onNetwork.Write,
                ["networkRead"] = onNetwork.Read,
                ["networkWriteLibpq"] = onNetwork.WriteLibpq,
                ["networkReadLibpq"] = onNetwork.ReadLibpq,
            }.ToImmutableSortedDictionary(StringComparer.Ordinal)),
            ["superuser"] = superuser,
            ["superuserPassword"] = cluster.SuperuserPassword,
            ["replicationStatus"] = cluster.ReplicationStatus,
        };
    }
}

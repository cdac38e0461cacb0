using System.Collections.Immutable;
using PgHaInfra.Operations.Access;
using PgHaInfra.Pulumi.Containers;
using PgHaInfra.Pulumi.Verification;
using PgHaInfra.Security;
using PgHaInfra.Spec;
using Pulumi;
using Pulumi.Docker;
using Pulumi.Docker.Inputs;
using Pulumi.Random;

namespace PgHaInfra.Pulumi.Components;

/// <summary>
/// What every topology shares: the cluster's network, the image, the generated passwords, one
/// <see cref="PostgresNode"/> per node (each after its upstream), and the post-deploy streaming check.
/// Each topology is its own component type (SingleCluster, AsyncCluster, SyncCluster, CascadingCluster) on this base.
/// </summary>
public abstract class PostgresCluster : ComponentResource
{
    /// <summary>Letters and digits only, so that no quoting layer (env, passfile, conninfo) can mangle them.</summary>
    private const int PasswordLength = 32;

    public ClusterSpec Spec { get; }

    public Network Network { get; }

    public RemoteImage Image { get; }

    public RandomPassword SuperuserPasswordResource { get; }

    public RandomPassword ReplicationPasswordResource { get; }

    /// <summary>Secret, whether or not the provider marks it so (mocks, for one, do not).</summary>
    public Output<string> SuperuserPassword { get; }

    public Output<string> ReplicationPassword { get; }

    /// <summary>A stable salt, so the replication role's SCRAM verifier (and so bootstrap.sql) does not change on every update.</summary>
    public RandomId VerifierSalt { get; }

    /// <summary>The nodes, by name, in creation order.</summary>
    public ImmutableArray<PostgresNode> Nodes { get; }

    /// <summary>Per node, each check's result after the update; a fixed "not checked" in a preview.</summary>
    public Output<ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>> ReplicationStatus { get; }

    protected PostgresCluster(string type, string name, Topology topology, ClusterArgs args, ComponentResourceOptions? options)
        : base(type, name, options)
    {
        if (args.Spec.Topology != topology)
        {
            throw new ArgumentException($"{type} builds topology {Word(topology)}, but stack {args.Spec.Stack} has topology {Word(args.Spec.Topology)}", nameof(args));
        }

        var spec = Spec = args.Spec;
        var child = new CustomResourceOptions { Parent = this };
        Network = new Network($"{name}-network", new NetworkArgs
        {
            Name = spec.Network.Name,
            Driver = "bridge",
            IpamConfigs = { new NetworkIpamConfigArgs { Subnet = spec.Network.Subnet } },
            Labels = { new NetworkLabelArgs { Label = "pgha.cluster", Value = spec.Name } },
        }, new CustomResourceOptions { Parent = this, DeleteBeforeReplace = true });
        Image = new RemoteImage($"{name}-image", new RemoteImageArgs { Name = spec.Postgres.Image, KeepLocally = true }, child);
        SuperuserPasswordResource = new RandomPassword($"{name}-superuser-password", new RandomPasswordArgs { Length = PasswordLength, Special = false }, child);
        ReplicationPasswordResource = new RandomPassword($"{name}-replication-password", new RandomPasswordArgs { Length = PasswordLength, Special = false }, child);
        SuperuserPassword = Output.CreateSecret(SuperuserPasswordResource.Result);
        ReplicationPassword = Output.CreateSecret(ReplicationPasswordResource.Result);
        VerifierSalt = new RandomId($"{name}-replication-verifier-salt", new RandomIdArgs { ByteLength = 16 }, child);
        var verifier = Output.CreateSecret(Output.Tuple(ReplicationPassword, VerifierSalt.B64Std)
            .Apply(t => ScramVerifier.Compute(t.Item1, Convert.FromBase64String(t.Item2))));

        var containers = new Dictionary<string, Container>(StringComparer.Ordinal);
        var nodes = ImmutableArray.CreateBuilder<PostgresNode>();
        foreach (var node in spec.InCreationOrder())
        {
            var upstream = spec.UpstreamOf(node);
            var component = new PostgresNode($"{name}-{node.Name}", new PostgresNodeArgs(
                spec, node, Image.ImageId, Network.Name, SuperuserPassword, ReplicationPassword, verifier,
                args.PublishAddress, upstream is null ? null : containers[upstream.Name]), new ComponentResourceOptions { Parent = this });
            containers[node.Name] = component.Container;
            nodes.Add(component);
        }

        Nodes = nodes.ToImmutable();
        ReplicationStatus = PostDeployStatus(args);
    }

    /// <summary>After every container exists (their ids are known), and never in a preview, run the streaming check.</summary>
    private Output<ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>> PostDeployStatus(ClusterArgs args)
    {
        var containerIds = Output.All(Nodes.Select(n => n.Container.Id));
        return Output.Tuple(containerIds, SuperuserPassword, ReplicationPassword).Apply(async t =>
        {
            if (Deployment.Instance.IsDryRun)
            {
                return PostDeployCheck.PreviewStatus(Spec);
            }

            var credentials = new ClusterCredentials(Spec.Replication.Superuser, t.Item2, Spec.Replication.User, t.Item3);
            return await args.Check.RunAsync(Spec, args.CheckHost, credentials, this).ConfigureAwait(false);
        });
    }

    /// <summary>The outputs every topology registers; each adds its own and calls <see cref="RegisterOutputs(IDictionary{string, object?})"/>.</summary>
    protected Dictionary<string, object?> CommonOutputs() => new()
    {
        ["topology"] = Word(Spec.Topology),
        ["primary"] = Spec.Primary,
        ["networkName"] = Network.Name,
        ["writeName"] = Spec.Endpoints.Write,
        ["readName"] = Spec.Endpoints.Read,
        ["readNameResolvesTo"] = NetworkAliases.ReadReason(Spec),
        ["nodes"] = Nodes.Select(n => n.Files.Node.Name).ToImmutableArray(),
        ["replicationStatus"] = ReplicationStatus,
    };

    protected static string Word(Topology topology) => topology.ToString().ToLowerInvariant();
}

using System.Collections.Immutable;
using PgHaInfra.Operations.Access;
using PgHaInfra.Deployment;
using PgHaInfra.Pulumi.Verification;
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

    /// <summary>The description with placeholder secrets: what is declared, field by field (pgha render --deployment prints it).</summary>
    public DockerDeployment Shape { get; }

    /// <summary>The description built from the generated secrets; secret fields of the resources come from it.</summary>
    public Output<DockerDeployment> Deployment { get; }

    public Network Network { get; }

    public RemoteImage Image { get; }

    public RandomPassword SuperuserPasswordResource { get; }

    public RandomPassword ReplicationPasswordResource { get; }

    /// <summary>Secret, whether or not the provider marks it so (mocks, for one, do not).</summary>
    public Output<string> SuperuserPassword { get; }

    public Output<string> ReplicationPassword { get; }

    /// <summary>Stable salts, so the SCRAM verifiers (and so the uploaded SQL) change only when a password does.</summary>
    public RandomId VerifierSalt { get; }

    public RandomId SuperuserVerifierSalt { get; }

    /// <summary>The nodes, by name, in creation order.</summary>
    public ImmutableArray<PostgresNode> Nodes { get; }

    /// <summary>Per node, each check's result after the update; a fixed "not checked" in a preview. Not secret: it holds none.</summary>
    public Output<ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>> ReplicationStatus { get; }

    protected PostgresCluster(string type, string name, Topology topology, ClusterArgs args, ComponentResourceOptions? options)
        : base(type, name, options)
    {
        if (args.Spec.Topology != topology)
        {
            throw new ArgumentException($"{type} builds topology {Word(topology)}, but stack {args.Spec.Stack} has topology {Word(args.Spec.Topology)}", nameof(args));
        }

        var spec = Spec = args.Spec;
        var shape = Shape = DockerDeployment.Build(spec, DeploymentSecrets.Placeholders);
        var child = new CustomResourceOptions { Parent = this };
        var networkArgs = new NetworkArgs
        {
            Name = shape.Network.Name,
            Driver = shape.Network.Driver,
            IpamConfigs = { new NetworkIpamConfigArgs { Subnet = shape.Network.Subnet } },
        };
        foreach (var (label, value) in shape.Network.Labels)
        {
            networkArgs.Labels.Add(new NetworkLabelArgs { Label = label, Value = value });
        }

        Network = new Network($"{name}-network", networkArgs, new CustomResourceOptions { Parent = this, DeleteBeforeReplace = true });
        Image = new RemoteImage($"{name}-image", new RemoteImageArgs { Name = shape.Image.Name, KeepLocally = shape.Image.KeepLocally }, child);
        SuperuserPasswordResource = new RandomPassword($"{name}-superuser-password", new RandomPasswordArgs { Length = PasswordLength, Special = false }, child);
        ReplicationPasswordResource = new RandomPassword($"{name}-replication-password", new RandomPasswordArgs { Length = PasswordLength, Special = false }, child);
        SuperuserPassword = Output.CreateSecret(SuperuserPasswordResource.Result);
        ReplicationPassword = Output.CreateSecret(ReplicationPasswordResource.Result);
        VerifierSalt = new RandomId($"{name}-replication-verifier-salt", new RandomIdArgs { ByteLength = DeploymentSecrets.SaltBytes }, child);
        SuperuserVerifierSalt = new RandomId($"{name}-superuser-verifier-salt", new RandomIdArgs { ByteLength = DeploymentSecrets.SaltBytes }, child);
        Deployment = Output.CreateSecret(Output.Tuple(SuperuserPassword, ReplicationPassword, SuperuserVerifierSalt.B64Std, VerifierSalt.B64Std)
            .Apply(t => DockerDeployment.Build(spec, new DeploymentSecrets(t.Item1, t.Item2, Convert.FromBase64String(t.Item3), Convert.FromBase64String(t.Item4)))));

        var containers = new Dictionary<string, Container>(StringComparer.Ordinal);
        var nodes = ImmutableArray.CreateBuilder<PostgresNode>();
        foreach (var container in shape.Containers)
        {
            var node = container.Node;
            var component = new PostgresNode($"{name}-{node}", new PostgresNodeArgs(
                container,
                Deployment.Apply(d => d.Container(node)),
                shape.Volumes.Single(v => v.Node == node),
                Image.ImageId,
                Network.Name,
                container.Upstream is { } upstream ? containers[upstream] : null), new ComponentResourceOptions { Parent = this });
            containers[node] = component.Container;
            nodes.Add(component);
        }

        Nodes = nodes.ToImmutable();
        ReplicationStatus = Output.Unsecret(PostDeployStatus(args));
    }

    /// <summary>After every container exists (their ids are known), and never in a preview, run the streaming check.</summary>
    private Output<ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>> PostDeployStatus(ClusterArgs args)
    {
        var containerIds = Output.All(Nodes.Select(n => n.Container.Id));
        return Output.Tuple(containerIds, SuperuserPassword, ReplicationPassword).Apply(async t =>
        {
            if (global::Pulumi.Deployment.Instance.IsDryRun)
            {
                return PostDeployCheck.PreviewStatus(Spec);
            }

            var credentials = new ClusterCredentials(Spec.Replication.Superuser, t.Item2, Spec.Replication.User, t.Item3);
            return await args.Check.RunAsync(Spec, Spec.Docker.CheckHost, credentials, this).ConfigureAwait(false);
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
        ["nodes"] = Nodes.Select(n => n.Shape.Node).ToImmutableArray(),
        ["replicationStatus"] = ReplicationStatus,
    };

    protected static string Word(Topology topology) => topology.ToString().ToLowerInvariant();
}

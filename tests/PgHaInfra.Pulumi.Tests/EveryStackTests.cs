using System.Collections.Immutable;
using PgHaInfra.Operations.Access;
using PgHaInfra.Pulumi.Components;
using PgHaInfra.Pulumi.Containers;
using PgHaInfra.Pulumi.Verification;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;
using PgHaInfra.Stack;
using Pulumi;
using Docker = Pulumi.Docker;
using Random = Pulumi.Random;

namespace PgHaInfra.Pulumi.Tests;

/// <summary>The whole program under Pulumi's mocks, for every stack file in stacks/ and the extra topologies here.</summary>
public sealed class EveryStackTests
{
    public static TheoryData<string, string> Stacks() => StackFiles.All();

    private static Task<ClusterSpec> SpecAsync(string directory, string stack) =>
        StackLoader.LoadAsync(new StackCatalog(directory), stack, CancellationToken.None);

    private static readonly Dictionary<Topology, string> ComponentTypes = new()
    {
        [Topology.Single] = SingleCluster.Type,
        [Topology.Async] = AsyncCluster.Type,
        [Topology.Sync] = SyncCluster.Type,
        [Topology.Cascading] = CascadingCluster.Type,
    };

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Preview_declares_the_topology_component_with_one_node_component_volume_and_container_per_node(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var (resources, _, mocks) = await PulumiRun.ProgramAsync(StackFiles.PathOf(directory, stack), stack, RecordingCheck.Passing(), preview: true);

        var types = mocks.Created.GroupBy(c => c.Type!).ToDictionary(g => g.Key, g => g.Count());
        var n = spec.Nodes.Length;
        var expected = new Dictionary<string, int>
        {
            [ComponentTypes[spec.Topology]] = 1,
            [PostgresNode.Type] = n,
            ["docker:index/volume:Volume"] = n,
            ["docker:index/container:Container"] = n,
            ["docker:index/network:Network"] = 1,
            ["docker:index/remoteImage:RemoteImage"] = 1,
            ["random:index/randomPassword:RandomPassword"] = 2,
            ["random:index/randomId:RandomId"] = 1,
        };
        Assert.Equal(expected.OrderBy(e => e.Key), types.OrderBy(e => e.Key));
        Assert.Equal(expected.Values.Sum(), resources.Length);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Every_child_hangs_under_its_component_and_is_named_from_it(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var probed = await PulumiRun.ProbedAsync(spec, RecordingCheck.Passing(), preview: true);
        var cluster = probed.Cluster;
        var nodes = cluster.Nodes.ToDictionary(n => (Resource)n);

        Assert.Equal(ComponentTypes[spec.Topology], cluster.GetResourceType());
        Assert.Equal("test:index:Probe", probed.Of(cluster).Options.Parent!.GetResourceType());
        Resource[] direct = [cluster.Network, cluster.Image, cluster.SuperuserPasswordResource, cluster.ReplicationPasswordResource, cluster.VerifierSalt, .. cluster.Nodes];
        var children = probed.Seen.Where(s => ReferenceEquals(s.Options.Parent, cluster)).Select(s => s.Resource).ToList();
        Assert.Equal(direct.Length, children.Count);
        Assert.All(direct, r => Assert.Contains(r, children));
        foreach (var node in cluster.Nodes)
        {
            var own = probed.Seen.Where(s => ReferenceEquals(s.Options.Parent, node)).Select(s => s.Resource).ToList();
            Assert.Equal(2, own.Count);
            Assert.Contains(node.Volume, own);
            Assert.Contains(node.Container, own);
            Assert.Equal($"{spec.Name}-{node.Files.Node.Name}", node.GetResourceName());
            Assert.Equal($"{spec.Name}-{node.Files.Node.Name}-server", node.Container.GetResourceName());
            Assert.Equal($"{spec.Name}-{node.Files.Node.Name}-data", node.Volume.GetResourceName());
        }

        // Nothing else: every resource is the cluster, the probe, or a child of the cluster or of one of its nodes.
        var others = probed.Seen.Where(s => s.Resource != cluster && s.Resource.GetResourceType() != "test:index:Probe").ToList();
        Assert.All(others, s => Assert.True(ReferenceEquals(s.Options.Parent, cluster) || nodes.ContainsKey(s.Options.Parent!), s.Resource.GetResourceName()));
        Assert.All(others, s => Assert.StartsWith(spec.Name + "-", s.Resource.GetResourceName(), StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Every_component_registers_its_outputs(string directory, string stack)
    {
        var (resources, _, mocks) = await PulumiRun.ProgramAsync(StackFiles.PathOf(directory, stack), stack, RecordingCheck.Passing(), preview: true);

        var components = resources.OfType<ComponentResource>().ToList();
        Assert.NotEmpty(components);
        foreach (var component in components)
        {
            Assert.Contains(await PulumiRun.UrnOf(component), mocks.RegisteredOutputs);
        }
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Preview_never_runs_the_post_deploy_check(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var check = RecordingCheck.Failing();
        var (_, outputs, _) = await PulumiRun.ProgramAsync(StackFiles.PathOf(directory, stack), stack, check, preview: true);

        Assert.Empty(check.Calls);
        var status = await PulumiRun.ValueOf((Output<ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>>)outputs["replicationStatus"]!);
        Assert.Equal(spec.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal), status.Keys);
        Assert.All(status.Values, s => Assert.Equal(PostDeployCheck.NotCheckedInPreview, s["streaming"]));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Update_runs_the_check_once_against_every_published_port_with_the_generated_superuser(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var check = RecordingCheck.Passing();
        var (_, outputs, _) = await PulumiRun.ProgramAsync(StackFiles.PathOf(directory, stack), stack, check, preview: false);

        var call = Assert.Single(check.Calls);
        Assert.Equal(
            spec.Nodes.Select(n => $"{n.Name}=127.0.0.1:{n.Port}").Order(StringComparer.Ordinal),
            call.Addresses.Select(a => $"{a.Key}={a.Value.Host}:{a.Value.Port}").Order(StringComparer.Ordinal));
        Assert.Equal(new ClusterCredentials(spec.Replication.Superuser, ClusterMocks.PasswordOf($"{spec.Name}-superuser-password"),
            spec.Replication.User, ClusterMocks.PasswordOf($"{spec.Name}-replication-password")), call.Credentials);
        Assert.Equal(PostDeployCheck.DefaultDeadline, call.Options.Deadline);

        var status = await PulumiRun.ValueOf((Output<ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>>)outputs["replicationStatus"]!);
        Assert.Equal(spec.Nodes.Select(r => r.Name).Order(StringComparer.Ordinal), status.Keys);
        Assert.Equal("ok: primary (not in recovery)", status[spec.Primary]["role"]);
        foreach (var replica in spec.Replicas)
        {
            Assert.Equal($"ok: streaming from {spec.UpstreamOf(replica)!.Name}", status[replica.Name]["wal_receiver"]);
        }
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Write_name_is_on_the_primary_read_name_on_the_replicas_and_every_node_has_its_own(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var probed = await PulumiRun.ProbedAsync(spec, RecordingCheck.Passing(), preview: true);

        foreach (var node in probed.Cluster.Nodes)
        {
            var args = (Docker.ContainerArgs)probed.Of(node.Container).Args;
            var networks = await PulumiRun.ValueOf(args.NetworksAdvanced);
            var network = Assert.Single(networks);
            Assert.Equal(spec.Network.Name, await PulumiRun.ValueOf(network.Name));
            var aliases = await PulumiRun.ValueOf(network.Aliases);
            var self = node.Files.Node;

            Assert.Contains(ClusterPlacement.DockerHostName(spec, self), aliases);
            Assert.Equal(spec.IsPrimary(self), aliases.Contains(spec.Endpoints.Write));
            var reads = spec.IsPrimary(self) ? spec.ReplicaCount == 0 || spec.Replicas.All(r => r.IsDelayed) : !self.IsDelayed;
            Assert.Equal(reads, aliases.Contains(spec.Endpoints.Read));
            Assert.Equal(spec.Nodes.Length - 1, spec.Nodes.Count(other => other.Name != self.Name && !aliases.Contains(ClusterPlacement.DockerHostName(spec, other))));
        }

        // Exactly one container answers the write name.
        var writers = 0;
        foreach (var node in probed.Cluster.Nodes)
        {
            var aliases = await PulumiRun.ValueOf((await PulumiRun.ValueOf(((Docker.ContainerArgs)probed.Of(node.Container).Args).NetworksAdvanced))[0].Aliases);
            writers += aliases.Contains(spec.Endpoints.Write) ? 1 : 0;
        }

        Assert.Equal(1, writers);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Replicas_depend_on_their_upstream_container_and_the_primary_on_none(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var probed = await PulumiRun.ProbedAsync(spec, RecordingCheck.Passing(), preview: true);
        var containers = probed.Cluster.Nodes.ToDictionary(n => n.Files.Node.Name, n => n.Container);

        foreach (var node in spec.Nodes)
        {
            var dependsOn = await PulumiRun.ValueOf(probed.Of(containers[node.Name]).Options.DependsOn);
            if (spec.UpstreamOf(node) is { } upstream)
            {
                Assert.Same(containers[upstream.Name], Assert.Single(dependsOn));
            }
            else
            {
                Assert.Empty(dependsOn);
            }
        }

        // Nodes are declared after their upstream.
        var order = probed.Cluster.Nodes.Select(n => n.Files.Node.Name).ToList();
        Assert.All(spec.Replicas, r => Assert.True(order.IndexOf(spec.UpstreamOf(r)!.Name) < order.IndexOf(r.Name)));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task The_rendered_configuration_reaches_each_container_and_the_server_runs_on_it(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var probed = await PulumiRun.ProbedAsync(spec, RecordingCheck.Passing(), preview: true);
        var placement = ClusterPlacement.DockerNetwork(spec);

        foreach (var node in probed.Cluster.Nodes)
        {
            var self = node.Files.Node;
            var args = (Docker.ContainerArgs)probed.Of(node.Container).Args;
            var uploads = new Dictionary<string, string>();
            foreach (var upload in await PulumiRun.ValueOf(args.Uploads))
            {
                uploads.Add(await PulumiRun.ValueOf(upload.File), await PulumiRun.ValueOf(upload.Content!));
            }

            var rendered = NodeFiles.Render(spec, placement, self, BootstrapSql.VerifierPlaceholder);
            Assert.Equal(rendered[NodeFiles.PostgresqlConf], uploads[ContainerPaths.PathOf(NodeFiles.PostgresqlConf)]);
            Assert.Equal(rendered[NodeFiles.PgHbaConf], uploads[ContainerPaths.PathOf(NodeFiles.PgHbaConf)]);
            Assert.Equal(spec.IsPrimary(self), uploads.ContainsKey(ContainerPaths.InitdbBootstrap));
            Assert.Equal(!spec.IsPrimary(self), uploads.ContainsKey(ContainerPaths.PathOf(NodeFiles.StandbySignal)));
            Assert.Equal(NodeStartScript.Render(spec, self), uploads[ContainerPaths.StartScript]);
            Assert.Equal(ContainerPaths.ServerCommand.ToArray(), (await PulumiRun.ValueOf(args.Command)).ToArray());
            Assert.Equal([ContainerPaths.StartScript], (await PulumiRun.ValueOf(args.Entrypoints)).ToArray());

            // bootstrap.sql: the replication role from the verifier of the generated password (salted by the RandomId).
            var password = ClusterMocks.PasswordOf($"{spec.Name}-replication-password");
            var verifier = Security.ScramVerifier.Compute(password, Convert.FromBase64String(ClusterMocks.SaltBase64));
            var bootstrap = NodeFiles.Render(spec, placement, self, verifier)[NodeFiles.BootstrapSql];
            Assert.Equal(bootstrap, uploads[ContainerPaths.PathOf(NodeFiles.BootstrapSql)]);
            if (spec.IsPrimary(self))
            {
                // The entrypoint's run: the same SQL, in a session whose commits do not wait for standbys not yet there.
                Assert.Equal(InitdbBootstrap.Content(bootstrap), uploads[ContainerPaths.InitdbBootstrap]);
                Assert.EndsWith(bootstrap, uploads[ContainerPaths.InitdbBootstrap], StringComparison.Ordinal);
                Assert.StartsWith(BootstrapSql.SessionSettings, bootstrap, StringComparison.Ordinal);
            }
            Assert.Equal(Passfile.Content(spec.Replication.User, password), uploads[ContainerPaths.Passfile]);

            var ports = await PulumiRun.ValueOf(args.Ports);
            var port = Assert.Single(ports);
            Assert.Equal((ClusterPlacement.ContainerPort, self.Port, "127.0.0.1"),
                (await PulumiRun.ValueOf(port.Internal), await PulumiRun.ValueOf(port.External!), await PulumiRun.ValueOf(port.Ip!)));
            var health = await PulumiRun.ValueOf(args.Healthcheck!);
            Assert.Contains("pg_isready", await PulumiRun.ValueOf(health.Tests));
        }
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Passwords_and_everything_derived_from_them_are_secret(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var probed = await PulumiRun.ProbedAsync(spec, RecordingCheck.Passing(), preview: true);

        Assert.True(await Output.IsSecretAsync(probed.Cluster.SuperuserPassword));
        Assert.True(await Output.IsSecretAsync(probed.Cluster.ReplicationPassword));
        foreach (var node in probed.Cluster.Nodes)
        {
            var self = node.Files.Node;
            var args = (Docker.ContainerArgs)probed.Of(node.Container).Args;
            foreach (var upload in await PulumiRun.ValueOf(args.Uploads))
            {
                var file = await PulumiRun.ValueOf(upload.File);
                var holdsSecret = file == ContainerPaths.Passfile
                    || (spec.IsPrimary(self) && (file == ContainerPaths.InitdbBootstrap || file == ContainerPaths.PathOf(NodeFiles.BootstrapSql)));
                // Secret exactly where a secret is: the rendered configuration stays readable in `pulumi preview --diff`.
                Assert.Equal(holdsSecret, await PulumiRun.IsSecret(upload.Content!));
            }

            Assert.Equal(spec.IsPrimary(self), await PulumiRun.IsSecret(args.Envs));
            if (spec.IsPrimary(self))
            {
                Assert.Contains($"POSTGRES_PASSWORD={ClusterMocks.PasswordOf($"{spec.Name}-superuser-password")}", await PulumiRun.ValueOf(args.Envs));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Exported_passwords_and_connection_strings_are_secret_and_endpoints_are_named(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var (_, outputs, _) = await PulumiRun.ProgramAsync(StackFiles.PathOf(directory, stack), stack, RecordingCheck.Passing(), preview: true);

        Assert.True(await Output.IsSecretAsync((Output<string>)outputs["superuserPassword"]!));
        var connections = (Output<ImmutableSortedDictionary<string, string>>)outputs["connectionStrings"]!;
        Assert.True(await Output.IsSecretAsync(connections));
        Assert.Contains($"127.0.0.1:{spec.PrimaryNode.Port}", (await PulumiRun.ValueOf(connections))["write"], StringComparison.Ordinal);
        Assert.DoesNotContain(ClusterMocks.PasswordOf($"{spec.Name}-superuser-password"), string.Concat((await PulumiRun.ValueOf(connections)).Values), StringComparison.Ordinal);

        var write = (Dictionary<string, object?>)outputs["writeEndpoint"]!;
        Assert.Equal($"{spec.Endpoints.Write}:5432", write["address"]);
        Assert.Equal($"127.0.0.1:{spec.PrimaryNode.Port}", write["published"]);
        var read = (Dictionary<string, object?>)outputs["readEndpoint"]!;
        Assert.Equal($"{spec.Endpoints.Read}:5432", read["address"]);
        Assert.Equal(spec.Primary, outputs["primary"]);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Production_volumes_are_protected_and_retained_others_are_not(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var probed = await PulumiRun.ProbedAsync(spec, RecordingCheck.Passing(), preview: true);
        var production = spec.Environment == DeploymentEnvironment.Production;

        foreach (var node in probed.Cluster.Nodes)
        {
            var options = probed.Of(node.Volume).Options;
            Assert.Equal(production, options.Protect ?? false);
            Assert.Equal(production, options.RetainOnDelete ?? false);
            Assert.NotEqual(true, probed.Of(node.Container).Options.Protect);
            // Fixed container names and ports: a replacement must delete the old container first.
            Assert.True(((CustomResourceOptions)probed.Of(node.Container).Options).DeleteBeforeReplace);
        }
    }

    [Fact]
    public void The_stacks_under_test_cover_every_topology()
    {
        var topologies = StackFiles.Catalogs
            .SelectMany(c => c.Stacks().Select(s => StackLoader.LoadAsync(c, s, CancellationToken.None).GetAwaiter().GetResult().Topology))
            .ToHashSet();
        Assert.Equal(Enum.GetValues<Topology>().ToHashSet(), topologies);
        Assert.NotEmpty(StackFiles.Repository.Stacks());
    }
}

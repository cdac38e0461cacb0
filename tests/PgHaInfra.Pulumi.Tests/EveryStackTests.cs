using System.Collections.Immutable;
using PgHaInfra.Operations.Access;
using PgHaInfra.Pulumi.Components;
using PgHaInfra.Deployment;
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
            ["random:index/randomId:RandomId"] = 2,
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
        Resource[] direct = [cluster.Network, cluster.Image, cluster.SuperuserPasswordResource, cluster.ReplicationPasswordResource, cluster.VerifierSalt, cluster.SuperuserVerifierSalt, .. cluster.Nodes];
        var children = probed.Seen.Where(s => ReferenceEquals(s.Options.Parent, cluster)).Select(s => s.Resource).ToList();
        Assert.Equal(direct.Length, children.Count);
        Assert.All(direct, r => Assert.Contains(r, children));
        foreach (var node in cluster.Nodes)
        {
            var own = probed.Seen.Where(s => ReferenceEquals(s.Options.Parent, node)).Select(s => s.Resource).ToList();
            Assert.Equal(2, own.Count);
            Assert.Contains(node.Volume, own);
            Assert.Contains(node.Container, own);
            Assert.Equal($"{spec.Name}-{node.Shape.Node}", node.GetResourceName());
            Assert.Equal($"{spec.Name}-{node.Shape.Node}-server", node.Container.GetResourceName());
            Assert.Equal($"{spec.Name}-{node.Shape.Node}-data", node.Volume.GetResourceName());
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

    /// <summary>
    /// The preview of `pulumi up` after a failover (the stack now names another primary): every container input that
    /// the program does not mark ignoreChanges is the same as before, so no container is replaced, the new primary's
    /// included; only the create-only declaration (envs, networksAdvanced) differs, and the provider never sees it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task After_a_failover_the_preview_changes_only_the_create_only_inputs(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var candidate = spec.Replicas.FirstOrDefault(r => !r.IsDelayed && spec.UpstreamOf(r)?.Name == spec.Primary);
        if (candidate is null)
        {
            return;
        }

        var before = await PulumiRun.ProbedAsync(spec, RecordingCheck.Passing(), preview: true);
        var after = await PulumiRun.ProbedAsync(spec.WithPrimary(candidate.Name), RecordingCheck.Passing(), preview: true);
        foreach (var node in before.Cluster.Nodes)
        {
            var moved = after.Cluster.Nodes.Single(n => n.Shape.Node == node.Shape.Node);
            Assert.Equal(await ComparedInputsAsync((Docker.ContainerArgs)before.Of(node.Container).Args), await ComparedInputsAsync((Docker.ContainerArgs)after.Of(moved.Container).Args));
            Assert.Equal(BootstrapDeclaration.CreateOnlyInputs.ToArray(), after.Of(moved.Container).Options.IgnoreChanges.ToArray());
        }

        var aliases = await PulumiRun.ValueOf((await PulumiRun.ValueOf(((Docker.ContainerArgs)after.Of(after.Cluster.Nodes.Single(n => n.Shape.Node == candidate.Name).Container).Args).NetworksAdvanced))[0].Aliases);
        Assert.Contains(spec.Endpoints.Write, aliases);
    }

    /// <summary>The container inputs the provider compares (all ForceNew or updatable), except the ignored envs and networksAdvanced.</summary>
    private static async Task<string> ComparedInputsAsync(Docker.ContainerArgs args)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(await PulumiRun.ValueOf(args.Name!)).AppendLine(await PulumiRun.ValueOf(args.Hostname!)).AppendLine(await PulumiRun.ValueOf(args.Image));
        text.AppendLine(string.Join(' ', await PulumiRun.ValueOf(args.Entrypoints))).AppendLine(string.Join(' ', await PulumiRun.ValueOf(args.Command)));
        foreach (var upload in await PulumiRun.ValueOf(args.Uploads))
        {
            text.AppendLine($"{await PulumiRun.ValueOf(upload.File)} {await PulumiRun.ValueOf(upload.Permissions!)}").AppendLine(await PulumiRun.ValueOf(upload.Content!));
        }

        foreach (var label in await PulumiRun.ValueOf(args.Labels))
        {
            text.AppendLine($"{await PulumiRun.ValueOf(label.Label)}={await PulumiRun.ValueOf(label.Value)}");
        }

        foreach (var port in await PulumiRun.ValueOf(args.Ports))
        {
            text.AppendLine($"{await PulumiRun.ValueOf(port.Ip!)}:{await PulumiRun.ValueOf(port.External!)}:{await PulumiRun.ValueOf(port.Internal)}");
        }

        foreach (var volume in await PulumiRun.ValueOf(args.Volumes))
        {
            text.AppendLine($"{await PulumiRun.ValueOf(volume.VolumeName!)}:{await PulumiRun.ValueOf(volume.ContainerPath!)}");
        }

        text.AppendLine(await PulumiRun.ValueOf(args.Restart!)).AppendLine(await PulumiRun.ValueOf(args.StopSignal!));
        return text.ToString();
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
            var self = spec.Node(node.Shape.Node);

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
        var containers = probed.Cluster.Nodes.ToDictionary(n => n.Shape.Node, n => n.Container);

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
        var order = probed.Cluster.Nodes.Select(n => n.Shape.Node).ToList();
        Assert.All(spec.Replicas, r => Assert.True(order.IndexOf(spec.UpstreamOf(r)!.Name) < order.IndexOf(r.Name)));
    }

    /// <summary>The description the program must map, built from the mocks' generated secrets.</summary>
    private static DockerDeployment Expected(ClusterSpec spec) => DockerDeployment.Build(spec, new DeploymentSecrets(
        ClusterMocks.PasswordOf($"{spec.Name}-superuser-password"),
        ClusterMocks.PasswordOf($"{spec.Name}-replication-password"),
        Convert.FromBase64String(ClusterMocks.SaltBase64),
        Convert.FromBase64String(ClusterMocks.SaltBase64)));

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Every_field_of_the_description_reaches_the_resource_inputs(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var probed = await PulumiRun.ProbedAsync(spec, RecordingCheck.Passing(), preview: true);
        var expected = Expected(spec);

        var network = (Docker.NetworkArgs)probed.Of(probed.Cluster.Network).Args;
        Assert.Equal(expected.Network.Name, await PulumiRun.ValueOf(network.Name!));
        Assert.Equal(expected.Network.Driver, await PulumiRun.ValueOf(network.Driver!));
        Assert.Equal(expected.Network.Subnet, await PulumiRun.ValueOf(Assert.Single(await PulumiRun.ValueOf(network.IpamConfigs)).Subnet!));
        Assert.Equal(expected.Network.Labels, await LabelsOf(await PulumiRun.ValueOf(network.Labels), l => (l.Label, l.Value)));
        var image = (Docker.RemoteImageArgs)probed.Of(probed.Cluster.Image).Args;
        Assert.Equal(expected.Image.Name, await PulumiRun.ValueOf(image.Name));
        Assert.Equal(expected.Image.KeepLocally, await PulumiRun.ValueOf(image.KeepLocally!));

        Assert.Equal(expected.Containers.Select(c => c.Node), probed.Cluster.Nodes.Select(n => n.Shape.Node));
        foreach (var node in probed.Cluster.Nodes)
        {
            var c = expected.Container(node.Shape.Node);
            var volume = expected.Volumes.Single(v => v.Node == c.Node);
            var volumeArgs = (Docker.VolumeArgs)probed.Of(node.Volume).Args;
            Assert.Equal(volume.Name, await PulumiRun.ValueOf(volumeArgs.Name!));
            Assert.Equal(volume.Labels, await LabelsOf(await PulumiRun.ValueOf(volumeArgs.Labels), l => (l.Label, l.Value)));
            Assert.Equal(volume.Retain, probed.Of(node.Volume).Options.Protect ?? false);
            Assert.Equal(volume.Retain, probed.Of(node.Volume).Options.RetainOnDelete ?? false);

            var args = (Docker.ContainerArgs)probed.Of(node.Container).Args;
            Assert.Equal(c.Name, await PulumiRun.ValueOf(args.Name!));
            Assert.Equal(c.Hostname, await PulumiRun.ValueOf(args.Hostname!));
            Assert.Equal(ClusterMocks.ImageId, await PulumiRun.ValueOf(args.Image));
            Assert.Equal(c.Entrypoint.ToArray(), (await PulumiRun.ValueOf(args.Entrypoints)).ToArray());
            Assert.Equal(c.Command.ToArray(), (await PulumiRun.ValueOf(args.Command)).ToArray());
            Assert.Equal(c.CreateEnvironment.Select(e => e.Assignment.Text).ToArray(), (await PulumiRun.ValueOf(args.Envs)).ToArray());
            Assert.Equal(BootstrapDeclaration.CreateOnlyInputs.ToArray(), probed.Of(node.Container).Options.IgnoreChanges.ToArray());
            var uploads = await PulumiRun.ValueOf(args.Uploads);
            Assert.Equal(c.Uploads.Length, uploads.Length);
            foreach (var (want, got) in c.Uploads.Zip(uploads))
            {
                Assert.Equal(want.Path, await PulumiRun.ValueOf(got.File));
                Assert.Equal(want.Content.Text, await PulumiRun.ValueOf(got.Content!));
                Assert.Equal(want.Permissions, await PulumiRun.ValueOf(got.Permissions!));
                Assert.Equal(want.Content.IsSecret, await PulumiRun.IsSecret(got.Content!));
            }

            Assert.Equal(c.Labels, await LabelsOf(await PulumiRun.ValueOf(args.Labels), l => (l.Label, l.Value)));
            var mount = Assert.Single(await PulumiRun.ValueOf(args.Volumes));
            Assert.Equal((c.Data.Volume, c.Data.ContainerPath), (await PulumiRun.ValueOf(mount.VolumeName!), await PulumiRun.ValueOf(mount.ContainerPath!)));
            var attachment = Assert.Single(await PulumiRun.ValueOf(args.NetworksAdvanced));
            Assert.Equal(c.Network.Network, await PulumiRun.ValueOf(attachment.Name));
            Assert.Equal(c.CreateAliases.ToArray(), (await PulumiRun.ValueOf(attachment.Aliases)).ToArray());
            var ports = await PulumiRun.ValueOf(args.Ports);
            Assert.Equal(c.Ports.Length, ports.Length);
            foreach (var (want, got) in c.Ports.Zip(ports))
            {
                Assert.Equal(want, new PublishedPort(await PulumiRun.ValueOf(got.Internal), await PulumiRun.ValueOf(got.External!), await PulumiRun.ValueOf(got.Ip!), await PulumiRun.ValueOf(got.Protocol!)));
            }

            var health = await PulumiRun.ValueOf(args.Healthcheck!);
            Assert.Equal(c.HealthCheck.Test.ToArray(), (await PulumiRun.ValueOf(health.Tests)).ToArray());
            Assert.Equal(
                (c.HealthCheck.Interval, c.HealthCheck.Timeout, c.HealthCheck.StartPeriod, c.HealthCheck.Retries),
                (await PulumiRun.ValueOf(health.Interval!), await PulumiRun.ValueOf(health.Timeout!), await PulumiRun.ValueOf(health.StartPeriod!), await PulumiRun.ValueOf(health.Retries!)));
            Assert.Equal(c.RestartPolicy, await PulumiRun.ValueOf(args.Restart!));
            Assert.Equal(c.Init, await PulumiRun.ValueOf(args.Init!));
            Assert.Equal(c.StopSignal, await PulumiRun.ValueOf(args.StopSignal!));
            Assert.Equal(c.StopGraceSeconds, await PulumiRun.ValueOf(args.StopTimeout!));
            Assert.Equal(c.StopGraceSeconds, await PulumiRun.ValueOf(args.DestroyGraceSeconds!));
            Assert.True(await PulumiRun.ValueOf(args.Wait!));
            Assert.Equal(c.HealthyWithinSeconds, await PulumiRun.ValueOf(args.WaitTimeout!));
            Assert.Equal(c.DeleteBeforeReplace, ((CustomResourceOptions)probed.Of(node.Container).Options).DeleteBeforeReplace);
        }
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task No_upload_is_empty_so_the_provider_accepts_every_container(string directory, string stack)
    {
        var spec = await SpecAsync(directory, stack);
        var probed = await PulumiRun.ProbedAsync(spec, RecordingCheck.Passing(), preview: true);

        foreach (var node in probed.Cluster.Nodes)
        {
            foreach (var upload in await PulumiRun.ValueOf(((Docker.ContainerArgs)probed.Of(node.Container).Args).Uploads))
            {
                Assert.NotEqual("", await PulumiRun.ValueOf(upload.Content!));
            }
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
            var args = (Docker.ContainerArgs)probed.Of(node.Container).Args;
            foreach (var upload in await PulumiRun.ValueOf(args.Uploads))
            {
                var file = await PulumiRun.ValueOf(upload.File);
                // bootstrap.sql is the same on every node (role-free), so every node's holds the replication verifier.
                var holdsSecret = file == ContainerLayout.Passfile || file == ContainerLayout.SuperuserSql || file == ContainerLayout.SuperuserPassfile
                    || file == ContainerLayout.PathOf(NodeFiles.BootstrapSql);
                // Secret exactly where a secret is: the rendered configuration stays readable in `pulumi preview --diff`.
                Assert.Equal(holdsSecret, await PulumiRun.IsSecret(upload.Content!));
            }

            // No password in the environment (docker inspect shows it to anyone with the socket).
            Assert.False(await PulumiRun.IsSecret(args.Envs));
        }
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task The_replication_status_is_readable_not_secret(string directory, string stack)
    {
        var (_, outputs, _) = await PulumiRun.ProgramAsync(StackFiles.PathOf(directory, stack), stack, RecordingCheck.Passing(), preview: false);

        Assert.False(await Output.IsSecretAsync((Output<ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>>)outputs["replicationStatus"]!));
    }

    [Fact]
    public async Task The_stacks_publish_address_is_where_ports_are_published_and_the_check_connects_to_loopback_for_every_interface()
    {
        var spec = await SpecAsync(StackFiles.Repository.Directory, "local");
        spec = spec with { Docker = new DockerSpec("0.0.0.0") };
        var check = RecordingCheck.Passing();
        var probed = await PulumiRun.ProbedAsync(spec, check, preview: false);

        foreach (var node in probed.Cluster.Nodes)
        {
            var port = Assert.Single(await PulumiRun.ValueOf(((Docker.ContainerArgs)probed.Of(node.Container).Args).Ports));
            Assert.Equal("0.0.0.0", await PulumiRun.ValueOf(port.Ip!));
        }

        await PulumiRun.ValueOf(probed.Cluster.ReplicationStatus);
        Assert.All(Assert.Single(check.Calls).Addresses.Values, a => Assert.Equal("127.0.0.1", a.Host));
    }

    private static async Task<ImmutableSortedDictionary<string, string>> LabelsOf<T>(ImmutableArray<T> labels, Func<T, (Input<string> Label, Input<string> Value)> pair)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var (key, value) = pair(label);
            result.Add(await PulumiRun.ValueOf(key), await PulumiRun.ValueOf(value));
        }

        return result.ToImmutable();
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

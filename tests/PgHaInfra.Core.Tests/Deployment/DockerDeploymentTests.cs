using System.Collections.Immutable;
using PgHaInfra.Deployment;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Core.Tests.Deployment;

/// <summary>The Docker deployment description: built from the spec and the secrets alone, and always within the provider's rules.</summary>
public sealed class DockerDeploymentTests
{
    public static TheoryData<string> RepositoryStacks()
    {
        var data = new TheoryData<string>();
        foreach (var stack in StackFixtures.RepositoryStacks.Stacks())
        {
            data.Add(stack);
        }

        return data;
    }

    private static readonly DeploymentSecrets Secrets = new("super-secret-1", "repl-secret-2", new byte[16], Enumerable.Range(1, 16).Select(i => (byte)i).ToArray());

    [Theory]
    [MemberData(nameof(RepositoryStacks))]
    public async Task Every_stack_builds_a_description_that_keeps_every_provider_rule(string stack)
    {
        var spec = await StackFixtures.LoadAsync(stack);
        var deployment = DockerDeployment.Build(spec, Secrets);

        Assert.Empty(DeploymentRules.Check(deployment));
        Assert.Equal(spec.InCreationOrder().Select(n => n.Name), deployment.Containers.Select(c => c.Node));
        Assert.All(deployment.Containers, c => Assert.All(c.Uploads, u => Assert.NotEmpty(u.Content.Text)));
    }

    [Fact]
    public async Task No_replica_uploads_an_empty_standby_signal_and_the_start_script_writes_a_non_empty_one()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var deployment = DockerDeployment.Build(spec, Secrets);

        foreach (var container in deployment.Containers)
        {
            Assert.DoesNotContain(container.Uploads, u => u.Path.EndsWith(NodeFiles.StandbySignal, StringComparison.Ordinal));
        }

        Assert.NotEmpty(NodeStartScript.StandbySignalContent);
        Assert.Contains("standby.signal", deployment.Container("pg-2").Upload(ContainerLayout.StartScript).Content.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_with_empty_content_is_refused_as_the_provider_refuses_it()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var deployment = DockerDeployment.Build(spec, Secrets);
        var replica = deployment.Container("pg-2");
        // What the Pulumi program used to upload for every replica.
        var broken = deployment with
        {
            Containers = deployment.Containers.Replace(replica, replica with
            {
                Uploads = replica.Uploads.Add(new Upload(ContainerLayout.PathOf(NodeFiles.StandbySignal), DeploymentValue.Plain(""))),
            }),
        };

        var problem = Assert.Single(DeploymentRules.Check(broken));
        Assert.Contains("local-pg-2", problem, StringComparison.Ordinal);
        Assert.Contains("one of 'content', 'content_base64', or 'source' must be set", problem, StringComparison.Ordinal);
        Assert.Throws<DeploymentRuleException>(() => DeploymentRules.Enforce(broken));
    }

    [Fact]
    public async Task The_rules_name_each_broken_field()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var deployment = DockerDeployment.Build(spec, Secrets);
        var c = deployment.Containers[0];
        var broken = deployment with
        {
            Containers = deployment.Containers.Replace(c, c with
            {
                RestartPolicy = "sometimes",
                HealthCheck = c.HealthCheck with { Interval = "120s", Test = ["pg_isready"] },
                Ports = [new PublishedPort(5432, 70000, "localhost")],
                Uploads = [.. c.Uploads, c.Uploads[0]],
            }),
        };

        var problems = string.Join("\n", DeploymentRules.Check(broken));
        Assert.Contains("restart \"sometimes\"", problems, StringComparison.Ordinal);
        Assert.Contains("interval \"120s\"", problems, StringComparison.Ordinal);
        Assert.Contains("health check test must start with CMD", problems, StringComparison.Ordinal);
        Assert.Contains("external port 70000", problems, StringComparison.Ordinal);
        Assert.Contains("publish address \"localhost\"", problems, StringComparison.Ordinal);
        Assert.Contains($"upload path \"{c.Uploads[0].Path}\" appears 2 times", problems, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_are_marked_and_only_secrets_differ_between_two_sets_of_secrets()
    {
        var spec = await StackFixtures.LoadAsync("prod");
        var one = DockerDeployment.Build(spec, Secrets);
        var other = DockerDeployment.Build(spec, DeploymentSecrets.Generate());

        Assert.Equal(DeploymentText.Render(one), DeploymentText.Render(other));
        var primary = one.Container(spec.Primary);
        Assert.True(primary.Upload(ContainerLayout.Passfile).Content.IsSecret);
        Assert.True(primary.Upload(ContainerLayout.SuperuserSql).Content.IsSecret);
        Assert.True(primary.Upload(ContainerLayout.PathOf(NodeFiles.BootstrapSql)).Content.IsSecret);
        Assert.False(primary.Upload(ContainerLayout.StartScript).Content.IsSecret);
        foreach (var (a, b) in one.Containers.Zip(other.Containers))
        {
            foreach (var (ua, ub) in a.Uploads.Zip(b.Uploads))
            {
                Assert.Equal(ua.Path, ub.Path);
                Assert.True(ua.Content.IsSecret || ua.Content.Text == ub.Content.Text, $"{a.Name} {ua.Path} differs but is not secret");
            }
        }
    }

    [Fact]
    public async Task The_rendered_text_shows_no_secret()
    {
        var spec = await StackFixtures.LoadAsync("prod");
        var text = DeploymentText.Render(DockerDeployment.Build(spec, Secrets));

        Assert.DoesNotContain("super-secret-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("repl-secret-2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SCRAM-SHA-256$4096", text, StringComparison.Ordinal);
        Assert.Contains("upload /etc/postgresql/pgha/replication.pgpass (mode 0600, secret):\n    | [secret]", text, StringComparison.Ordinal);
        Assert.Contains("publish: 127.0.0.1:17432 -> 5432/tcp", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_description_is_the_same_whichever_stack_is_read_twice()
    {
        var a = DeploymentText.Render(DockerDeployment.Build(await StackFixtures.LoadAsync("local"), DeploymentSecrets.Placeholders));
        var b = DeploymentText.Render(DockerDeployment.Build(await StackFixtures.LoadAsync("local"), DeploymentSecrets.Placeholders));
        Assert.Equal(a, b);
    }

    /// <summary>
    /// What `pulumi up` after a failover sees: the stack names another primary. Every container input the provider
    /// compares (all but the create-only declaration, which the program marks ignoreChanges) must be unchanged, or
    /// the update would replace the containers, the new primary's among them.
    /// </summary>
    [Theory]
    [MemberData(nameof(RepositoryStacks))]
    public async Task A_moved_primary_changes_no_container_input_but_the_create_only_declaration(string stack)
    {
        var spec = await StackFixtures.LoadAsync(stack);
        var candidate = spec.Replicas.FirstOrDefault(r => !r.IsDelayed && spec.UpstreamOf(r)?.Name == spec.Primary);
        if (candidate is null)
        {
            Assert.Single(spec.Nodes);
            return;
        }

        var before = DockerDeployment.Build(spec, Secrets);
        var after = DockerDeployment.Build(spec.WithPrimary(candidate.Name), Secrets);

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(before.Network), System.Text.Json.JsonSerializer.Serialize(after.Network));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(before.Volumes), System.Text.Json.JsonSerializer.Serialize(after.Volumes));
        foreach (var was in before.Containers)
        {
            var now = after.Container(was.Node);
            Assert.Equal(Compared(was), Compared(now));
        }

        Assert.NotEqual(before.Container(candidate.Name).Bootstrap, after.Container(candidate.Name).Bootstrap);
        Assert.Contains(spec.Endpoints.Write, after.Container(candidate.Name).CreateAliases);
        Assert.DoesNotContain(spec.Endpoints.Write, after.Container(spec.Primary).CreateAliases);
    }

    /// <summary>The inputs the provider compares, as text: everything but the create-only declaration and the dependency.</summary>
    private static string Compared(ContainerSpec c) =>
        System.Text.Json.JsonSerializer.Serialize(c with { Bootstrap = new BootstrapDeclaration(BootstrapDeclaration.InitDb, null, "", []), Upstream = null });

    [Fact]
    public async Task Containers_name_no_role_in_their_labels_and_the_start_script_keeps_existing_data_as_it_is()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var deployment = DockerDeployment.Build(spec, Secrets);

        Assert.All(deployment.Containers, c => Assert.Equal(["pgha.cluster", "pgha.kind", "pgha.node", "pgha.stack"], c.Labels.Keys));
        var script = deployment.Container("pg-1").Upload(ContainerLayout.StartScript).Content.Text;
        var existing = script.IndexOf("if [ -s \"$data/PG_VERSION\" ]; then", StringComparison.Ordinal);
        var initdb = script.IndexOf("initdb", StringComparison.Ordinal);
        Assert.True(existing >= 0 && existing < initdb, "initdb runs only on an empty volume");
        Assert.DoesNotContain("docker-entrypoint", script, StringComparison.Ordinal);
        Assert.DoesNotContain("gosu", script, StringComparison.Ordinal);
        Assert.DoesNotContain("POSTGRES_", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stacks_publish_address_reaches_every_port_and_the_check_host()
    {
        var (spec, errors) = StackFixtures.Parse("""
            config:
              pg-ha-infra:topology: async
              pg-ha-infra:nodes:
                - name: pg-1
                  port: 15432
                - name: pg-2
                  port: 15433
              pg-ha-infra:docker:
                publishAddress: 0.0.0.0
            """);
        Assert.Empty(errors);
        var deployment = DockerDeployment.Build(spec!, Secrets);

        Assert.All(deployment.Containers, c => Assert.Equal("0.0.0.0", Assert.Single(c.Ports).HostAddress));
        Assert.Equal("127.0.0.1", spec!.Docker.CheckHost);
        Assert.Equal("10.1.2.3", (spec with { Docker = new DockerSpec("10.1.2.3") }).Docker.CheckHost);
    }

    [Fact]
    public void A_publish_address_that_is_not_an_address_is_refused_naming_the_key()
    {
        var (_, errors) = StackFixtures.Parse("""
            config:
              pg-ha-infra:topology: single
              pg-ha-infra:nodes:
                - name: pg-1
                  port: 15432
              pg-ha-infra:docker:
                publishAddress: my-host
            """);
        var error = Assert.Single(errors);
        Assert.Equal("pg-ha-infra:docker.publishAddress", error.Key);
        Assert.Contains("is not an IP address", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stacks_without_a_network_key_get_distinct_subnets_and_no_two_repository_stacks_overlap()
    {
        Assert.NotEqual(NetworkSpec.DefaultFor("local").Subnet, NetworkSpec.DefaultFor("dev").Subnet);
        Assert.Equal(NetworkSpec.DefaultFor("local"), NetworkSpec.DefaultFor("local"));
        var subnets = new List<string>();
        foreach (var stack in StackFixtures.RepositoryStacks.Stacks())
        {
            subnets.Add((await StackFixtures.LoadAsync(stack)).Network.Subnet);
        }

        Assert.Equal(subnets.Count, subnets.Distinct(StringComparer.Ordinal).Count());
    }
}

using PgHaInfra.Pulumi.Configuration;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;
using PgHaInfra.Stack;
using Pulumi;

namespace PgHaInfra.Pulumi.Tests;

/// <summary>The stack read through Pulumi's Config is the stack `pgha validate` reads from the file, mistakes included.</summary>
public sealed class ConfigThroughPulumiTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("pgha-pulumi-config-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    public static TheoryData<string, string> Stacks() => StackFiles.All();

    private static async Task<ClusterSpec> ReadThroughPulumiAsync(string stack)
    {
        ClusterSpec? spec = null;
        await global::Pulumi.Deployment.TestAsync(new ClusterMocks(), PulumiRun.Options(stack, preview: true), () => { spec = ClusterProgram.ReadSpec(stack); });
        return spec!;
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Every_stack_reads_the_same_through_Pulumi_config_as_from_its_file(string stacksDirectory, string stack)
    {
        var fromFile = await StackLoader.LoadAsync(new StackCatalog(stacksDirectory), stack, CancellationToken.None);
        ClusterSpec fromPulumi;
        using (EngineConfig.FromStackFile(StackFiles.PathOf(stacksDirectory, stack)))
        {
            fromPulumi = await ReadThroughPulumiAsync(stack);
        }

        Assert.Equal(PulumiStackConfig.SourceOf(stack), fromPulumi.Source);
        Assert.Equal((fromFile.Name, fromFile.Environment, fromFile.Topology, fromFile.Primary, fromFile.Endpoints, fromFile.Network, fromFile.Postgres, fromFile.Lag),
            (fromPulumi.Name, fromPulumi.Environment, fromPulumi.Topology, fromPulumi.Primary, fromPulumi.Endpoints, fromPulumi.Network, fromPulumi.Postgres, fromPulumi.Lag));
        Assert.Equal(fromFile.Nodes.ToArray(), fromPulumi.Nodes.ToArray());
        var placement = ClusterPlacement.DockerNetwork(fromFile);
        Assert.Equal(
            NodeFiles.RenderCluster(fromFile, placement, "v").SelectMany(n => n.Files).ToArray(),
            NodeFiles.RenderCluster(fromPulumi, ClusterPlacement.DockerNetwork(fromPulumi), "v").SelectMany(n => n.Files).ToArray());
    }

    public static TheoryData<string, string> BadStacks() => new()
    {
        {
            "unknown key, bad enum, bad port",
            """
            config:
              pg-ha-infra:topolgy: async
              pg-ha-infra:environment: prod
              pg-ha-infra:nodes:
                - name: pg-1
                  port: 80
                - name: pg-2
                  port: 15433
                  upstrem: pg-1
            """
        },
        {
            "cycle and a delay on the primary",
            """
            config:
              pg-ha-infra:topology: cascading
              pg-ha-infra:primary: pg-1
              pg-ha-infra:nodes:
                - name: pg-1
                  port: 15432
                  delay: 1h
                - name: pg-2
                  port: 15433
                  upstream: pg-3
                - name: pg-3
                  port: 15434
                  upstream: pg-2
            """
        },
        {
            "synchronous mistakes and refused parameters",
            """
            config:
              pg-ha-infra:topology: sync
              pg-ha-infra:nodes:
                - name: pg-1
                  port: 15432
                - name: pg-2
                  port: 15433
              pg-ha-infra:synchronous:
                method: all
                count: 3
                standbys: [pg-2, pg-9]
                commit: local
              pg-ha-infra:parameters:
                wal_level: minimal
                port: 5000
              pg-ha-infra:lag:
                warningBytes: 2GB
                criticalBytes: 1GB
            """
        },
        {
            "wrong shapes",
            """
            config:
              pg-ha-infra:topology: single
              pg-ha-infra:nodes: pg-1
              pg-ha-infra:postgres: 15
              pg-ha-infra:endpoints:
                write: Not_A_Name
            """
        },
    };

    [Theory]
    [MemberData(nameof(BadStacks))]
    public async Task A_bad_stack_fails_the_deployment_with_the_errors_of_pgha_validate(string because, string yaml)
    {
        var stack = "bad";
        var file = Path.Combine(directory, $"Pulumi.{stack}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        var validate = await Assert.ThrowsAsync<StackValidationException>(() => StackLoader.LoadAsync(new StackCatalog(directory), stack, CancellationToken.None));

        using var config = EngineConfig.FromYaml(yaml);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            global::Pulumi.Deployment.TestAsync(new ClusterMocks(), PulumiRun.Options(stack, preview: true), () => ClusterProgram.DeployAsync(RecordingCheck.Passing())));

        // Same key, value, problem, allowed and suggestion; only the location differs (a file and line, or Pulumi config).
        var expected = validate.Errors.Select(e => (e with { Source = PulumiStackConfig.SourceOf(stack), Line = null }).ToString()).Order(StringComparer.Ordinal);
        var actual = failure.Message.Split(Environment.NewLine).Order(StringComparer.Ordinal);
        Assert.False(validate.Errors.IsEmpty, because);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Keys_in_the_engines_older_project_config_key_form_are_read_and_checked_too()
    {
        var json = """
            {"pg-ha-infra:config:topology":"single","pg-ha-infra:config:nodes":"[{\"name\":\"pg-1\",\"port\":15432}]",
             "pg-ha-infra:config:clustr":"x","docker:host":"unix:///var/run/docker.sock"}
            """;
        using var config = EngineConfig.FromJson(json);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ReadThroughPulumiAsync("legacy"));

        Assert.Equal(
            "Pulumi config of stack legacy: pg-ha-infra:clustr: is not a known key. Allowed: " + string.Join(", ", StackKeys.TopLevel) + ". Did you mean pg-ha-infra:cluster?",
            failure.Message);
    }

    [Fact]
    public async Task A_superuser_other_than_postgres_is_refused_on_Docker_with_the_reason()
    {
        using var config = EngineConfig.FromYaml("""
            config:
              pg-ha-infra:topology: single
              pg-ha-infra:nodes: [{name: pg-1, port: 15432}]
              pg-ha-infra:replication: {superuser: admin}
            """);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ReadThroughPulumiAsync("admin"));

        Assert.StartsWith("Pulumi config of stack admin: pg-ha-infra:replication.superuser = \"admin\": cannot be used on Docker", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith("Allowed: postgres (the default) for the Pulumi program", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Structured_values_become_the_same_tree_as_YAML_gives()
    {
        var node = JsonConfigTree.FromConfigText("""[{"name":"pg-1","port":15432,"delay":null,"hot":true}]""");

        var list = Assert.IsType<ConfigList>(node);
        var map = Assert.IsType<ConfigMap>(Assert.Single(list.Items));
        Assert.Equal(["name=pg-1", "port=15432", "delay=", "hot=true"], map.Entries.Select(e => $"{e.Key}={((ConfigScalar)e.Value).Text}"));
        Assert.Equal(new ConfigScalar("[not json"), JsonConfigTree.FromConfigText("[not json"));
        Assert.Equal(new ConfigScalar("async"), JsonConfigTree.FromConfigText("async"));
    }
}

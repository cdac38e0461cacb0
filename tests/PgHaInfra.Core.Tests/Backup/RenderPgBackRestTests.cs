using PgHaInfra.Cli;
using PgHaInfra.Core.Tests.Cli;
using PgHaInfra.Rendering;

namespace PgHaInfra.Core.Tests.Backup;

/// <summary>`pgha render` shows pgbackrest.conf beside each node's files for a stack with backups, never a secret.</summary>
public sealed class RenderPgBackRestTests : IDisposable
{
    private readonly DirectoryInfo stacks = Directory.CreateTempSubdirectory("pgha-render-bk-");

    private const string Nodes = "  pg-ha-infra:topology: async\n  pg-ha-infra:nodes:\n    - name: pg-1\n      port: 17541\n    - name: pg-2\n      port: 17542\n";

    private string Stack(string name, string repository)
    {
        File.WriteAllText(Path.Combine(stacks.FullName, $"Pulumi.{name}.yaml"), $"config:\n  pg-ha-infra:cluster: {name}\n{Nodes}  pg-ha-infra:backup:\n    repository:\n{repository}");
        return name;
    }

    [Fact]
    public async Task Local_render_shows_each_node_s_pgbackrest_conf_and_pgha_s_own_with_the_S3_keys_replaced()
    {
        var stack = Stack("bks3", "      s3:\n        bucket: pgha-backups\n        endpoint: minio.internal:9000\n        region: us-east-1\n        key: AKIAEXAMPLE\n        keySecret: s3cr3t-value\n");

        var first = await PghaRun.RunAsync("render", "--stack", stack, "--stacks-dir", stacks.FullName, "--target", "local");
        var second = await PghaRun.RunAsync("render", "--stack", stack, "--stacks-dir", stacks.FullName, "--target", "local");

        Assert.True(first.ExitCode == ExitCodes.Ok, first.ToString());
        Assert.Equal(first.Out, second.Out);
        foreach (var node in new[] { "pg-1", "pg-2" })
        {
            Assert.Contains($"==> {node}/pgbackrest.conf <==\n# pgbackrest.conf for {node} in cluster \"bks3\"", first.Out, StringComparison.Ordinal);
        }

        Assert.Contains("==> _pgha/pgbackrest.conf <==\n# pgbackrest.conf for pgha's backups, restores and listings of cluster \"bks3\"", first.Out, StringComparison.Ordinal);
        Assert.Contains("[bks3]\n", first.Out, StringComparison.Ordinal);
        Assert.Contains("repo1-s3-bucket=pgha-backups", first.Out, StringComparison.Ordinal);
        Assert.Contains($"repo1-s3-key={PgBackRestFiles.KeyPlaceholder}", first.Out, StringComparison.Ordinal);
        Assert.Contains($"repo1-s3-key-secret={PgBackRestFiles.KeySecretPlaceholder}", first.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", first.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLE", first.Out, StringComparison.Ordinal);
        // The files the archive and restore commands name are the ones shown.
        Assert.Contains("archive_command = '", first.Out, StringComparison.Ordinal);
        Assert.Contains("/backup/pg-1/pgbackrest.conf --stanza=bks3 archive-push %p'", first.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_render_shows_the_container_s_pgbackrest_conf_on_the_volume_and_no_second_file()
    {
        var stack = Stack("bkvol", "      volume: bkvol-repo\n");

        var run = await PghaRun.RunAsync("render", "--stack", stack, "--stacks-dir", stacks.FullName);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("==> pg-1/pgbackrest.conf <==", run.Out, StringComparison.Ordinal);
        Assert.Contains("==> pg-2/pgbackrest.conf <==", run.Out, StringComparison.Ordinal);
        Assert.Contains("repo1-path=/var/lib/pgbackrest", run.Out, StringComparison.Ordinal);
        Assert.Contains("--config=/etc/postgresql/pgha/pgbackrest.conf --stanza=bkvol archive-push %p", run.Out, StringComparison.Ordinal);
        // In a container the node's file is also the one pgha's backups use.
        Assert.DoesNotContain("==> _pgha/", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_to_a_folder_writes_each_node_s_pgbackrest_conf_and_pgha_s_own()
    {
        var stack = Stack("bkdir", "      path: /srv/pgbackrest\n");
        var outDir = Path.Combine(stacks.FullName, "out");

        var run = await PghaRun.RunAsync("render", "--stack", stack, "--stacks-dir", stacks.FullName, "--target", "local", "--out", outDir);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal(["_pgha", "pg-1", "pg-2"], Directory.GetDirectories(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["pgbackrest.conf"], Directory.GetFiles(Path.Combine(outDir, "_pgha")).Select(Path.GetFileName));
        Assert.Contains("repo1-path=/srv/pgbackrest", await File.ReadAllTextAsync(Path.Combine(outDir, "pg-2", "pgbackrest.conf")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stack_without_backups_renders_no_pgbackrest_conf()
    {
        var run = await PghaRun.RunAsync("render", "--stack", "prod", "--stacks-dir", StackFixtures.RepositoryStacks.Directory, "--target", "local");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.DoesNotContain("pgbackrest.conf <==", run.Out, StringComparison.Ordinal);
    }

    public void Dispose() => stacks.Delete(recursive: true);
}

using PgHaInfra.Cli;
using PgHaInfra.Rendering;

namespace PgHaInfra.Core.Tests.Cli;

/// <summary>pgha validate and render, run in-process against the repository's stacks and the bad-stack table.</summary>
public sealed class CliTests
{
    private static readonly string Stacks = StackFixtures.RepositoryStacks.Directory;

    [Fact]
    public async Task Version_prints_the_release()
    {
        var run = await PghaRun.RunAsync("--version");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.StartsWith("0.2.0", run.Out.Trim(), StringComparison.Ordinal);
        Assert.Equal(PghaApp.Version, run.Out.Trim());
    }

    [Fact]
    public void Json_output_is_for_terminals_and_scripts_not_html()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { step = "role + slots", expected = "<verifier> & 'quoted'" }, PgHaInfra.Cli.Commands.Views.Json);

        Assert.Contains("\"role + slots\"", json, StringComparison.Ordinal);
        Assert.Contains("\"<verifier> & 'quoted'\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_all_passes_on_every_repository_stack()
    {
        var run = await PghaRun.RunAsync("validate", "--all", "--stacks-dir", Stacks);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        foreach (var stack in StackFixtures.RepositoryStacks.Stacks())
        {
            Assert.Contains($"ok      {stack}:", run.Out, StringComparison.Ordinal);
        }

        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task Validate_on_bad_stacks_exits_2_naming_file_line_and_key_on_stderr()
    {
        var dir = Directory.CreateTempSubdirectory("pgha-bad-stacks-");
        try
        {
            foreach (var name in new[] { "unknown-topology", "upstream-cycle", "wal-level-minimal" })
            {
                File.Copy(Path.Combine(AppContext.BaseDirectory, "BadStacks", name + ".yaml"), Path.Combine(dir.FullName, $"Pulumi.{name}.yaml"));
            }

            File.Copy(Path.Combine(Stacks, "Pulumi.staging.yaml"), Path.Combine(dir.FullName, "Pulumi.staging.yaml"));

            var run = await PghaRun.RunAsync("validate", "--all", "--stacks-dir", dir.FullName);

            Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
            var errors = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, errors.Length);
            Assert.Contains(errors, e => e.StartsWith(Path.Combine(dir.FullName, "Pulumi.unknown-topology.yaml") + ":3: pg-ha-infra:topology = \"asynch\"", StringComparison.Ordinal)
                && e.EndsWith("Did you mean \"async\"?", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith(Path.Combine(dir.FullName, "Pulumi.upstream-cycle.yaml") + ":9: pg-ha-infra:nodes[1].upstream", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith(Path.Combine(dir.FullName, "Pulumi.wal-level-minimal.yaml") + ":10: pg-ha-infra:parameters.wal_level", StringComparison.Ordinal));
            Assert.Contains("ok      staging:", run.Out, StringComparison.Ordinal);
            Assert.Contains("invalid unknown-topology: 1 problem(s)", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Validate_of_one_unknown_stack_suggests_the_nearest()
    {
        var run = await PghaRun.RunAsync("validate", "--stack", "prd", "--stacks-dir", Stacks);

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("--stack = \"prd\": has no stack file. Allowed: dev, local, local-ha, prod, staging. Did you mean \"prod\"?", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_of_an_unknown_stack_fails_with_a_suggestion_on_stderr()
    {
        var run = await PghaRun.RunAsync("render", "--stack", "stagin", "--stacks-dir", Stacks);

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("Did you mean \"staging\"?", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task Render_prod_shows_every_node_s_files_and_is_byte_for_byte_stable()
    {
        var first = await PghaRun.RunAsync("render", "--stack", "prod", "--stacks-dir", Stacks);
        var second = await PghaRun.RunAsync("render", "--stack", "prod", "--stacks-dir", Stacks);

        Assert.True(first.ExitCode == ExitCodes.Ok, first.ToString());
        Assert.Equal(first.Out, second.Out);
        foreach (var node in new[] { "pg-1", "pg-2", "pg-3", "pg-4", "pg-dr" })
        {
            Assert.Contains($"==> {node}/postgresql.conf <==", first.Out, StringComparison.Ordinal);
            Assert.Contains($"==> {node}/pg_hba.conf <==", first.Out, StringComparison.Ordinal);
            Assert.Contains($"==> {node}/bootstrap.sql <==", first.Out, StringComparison.Ordinal);
            Assert.Equal(node != "pg-1", first.Out.Contains($"==> {node}/standby.signal <==", StringComparison.Ordinal));
        }

        Assert.Contains("synchronous_standby_names = 'ANY 1 (\"pg-2\", \"pg-3\")'", first.Out, StringComparison.Ordinal);
        Assert.Contains("recovery_min_apply_delay = '1h'", first.Out, StringComparison.Ordinal);
        Assert.Contains("host=pg-3.prod.pgha.internal", first.Out, StringComparison.Ordinal);
        Assert.Contains(BootstrapSql.VerifierPlaceholder, first.Out, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}", first.Out);
        Assert.DoesNotContain("\u001b[", first.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_one_node_to_a_folder_writes_exactly_its_files()
    {
        var dir = Directory.CreateTempSubdirectory("pgha-render-");
        try
        {
            var run = await PghaRun.RunAsync("render", "--stack", "prod", "--stacks-dir", Stacks, "--node", "pg-4", "--out", dir.FullName, "--target", "local");

            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            Assert.Equal(["bootstrap.sql", "pg_hba.conf", "postgresql.conf", "standby.signal"],
                Directory.GetFiles(Path.Combine(dir.FullName, "pg-4")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(["pg-4"], Directory.GetDirectories(dir.FullName).Select(Path.GetFileName));
            Assert.Contains("host=127.0.0.1 port=17434", await File.ReadAllTextAsync(Path.Combine(dir.FullName, "pg-4", "postgresql.conf")), StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--node", "pg-9", "--node = \"pg-9\": stack prod has no such node. Allowed: pg-1, pg-2, pg-3, pg-4, pg-dr")]
    [InlineData("--target", "k8s", "--target = \"k8s\": unknown target. Allowed: docker, local")]
    public async Task Render_refuses_bad_options_with_what_is_allowed(string option, string value, string message)
    {
        var run = await PghaRun.RunAsync("render", "--stack", "prod", "--stacks-dir", Stacks, option, value);

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Equal($"pgha: {message}\n", run.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task An_unknown_option_is_invalid_input()
    {
        var run = await PghaRun.RunAsync("validate", "--stak", "prod");

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.StartsWith("pgha: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_verbs_and_every_verb_has_help()
    {
        var top = await PghaRun.RunAsync("--help");
        Assert.True(top.ExitCode == ExitCodes.Ok, top.ToString());

        // Every verb listed under COMMANDS, including ones added later, must answer --help.
        var verbs = top.Out[top.Out.IndexOf("COMMANDS:", StringComparison.Ordinal)..]
            .Split('\n').Skip(1).Select(l => l.Trim().Split(' ')[0]).Where(v => v.Length > 0).ToList();
        Assert.Contains("validate", verbs);
        Assert.Contains("render", verbs);
        foreach (var verb in verbs)
        {
            var help = await PghaRun.RunAsync(verb, "--help");
            Assert.True(help.ExitCode == ExitCodes.Ok, $"{verb} --help: {help}");
            Assert.Contains($"pgha {verb}", help.Out, StringComparison.Ordinal);
        }
    }
}

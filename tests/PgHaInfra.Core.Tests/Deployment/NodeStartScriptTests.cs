using System.Diagnostics;
using PgHaInfra.Deployment;
using PgHaInfra.Rendering;

namespace PgHaInfra.Core.Tests.Deployment;

/// <summary>The start script each container runs: valid POSIX sh, no image conventions, and a replica clones its upstream through its own slot.</summary>
public sealed class NodeStartScriptTests
{
    public static TheoryData<string> Stacks() => DockerDeploymentTests.RepositoryStacks();

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Every_nodes_script_is_valid_sh_role_free_and_its_declaration_clones_replicas_from_their_upstream(string stack)
    {
        var spec = await StackFixtures.LoadAsync(stack);
        foreach (var node in spec.Nodes)
        {
            var script = NodeStartScript.Render(spec, node);
            await AssertValidShAsync(script);
            Assert.EndsWith("exec setpriv --reuid=postgres --regid=postgres --init-groups -- \"$@\"\n", script, StringComparison.Ordinal);
            Assert.Contains($"-f \"$conf/{NodeFiles.BootstrapSql}\" -f '{ContainerLayout.SuperuserSql}'", script, StringComparison.Ordinal);
            Assert.Contains("bin='/usr/lib/postgresql/15/bin'", script, StringComparison.Ordinal);
            // One script for every role: both ways of making an empty volume, chosen by the create-only declaration.
            Assert.Contains($"--slot='{node.SlotName}'", script, StringComparison.Ordinal);
            Assert.Contains("$slot", script, StringComparison.Ordinal);
            Assert.Contains($"port=5432 user={spec.Replication.User} passfile={ContainerLayout.Passfile}", script, StringComparison.Ordinal);
            Assert.Contains($"\"$new/{NodeFiles.StandbySignal}\"", script, StringComparison.Ordinal);
            Assert.Contains("\"$bin/initdb\"", script, StringComparison.Ordinal);
            Assert.DoesNotContain(spec.Primary == node.Name ? "declared: primary" : "replica of", script, StringComparison.Ordinal);
            var declaration = BootstrapDeclaration.For(spec, node);
            if (spec.UpstreamOf(node) is { } upstream)
            {
                Assert.Equal(BootstrapDeclaration.BaseBackup, declaration.Mode);
                Assert.Equal(ClusterPlacement.DockerHostName(spec, upstream), declaration.From);
                Assert.Contains($"host={ClusterPlacement.DockerHostName(spec, upstream)}", declaration.Role, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(BootstrapDeclaration.InitDb, declaration.Mode);
                Assert.Null(declaration.From);
                Assert.DoesNotContain("primary_conninfo", declaration.Role, StringComparison.Ordinal);
            }
        }
    }

    private static async Task AssertValidShAsync(string script)
    {
        using var sh = Process.Start(new ProcessStartInfo("sh", ["-n"]) { RedirectStandardInput = true, RedirectStandardError = true })!;
        await sh.StandardInput.WriteAsync(script);
        sh.StandardInput.Close();
        var errors = await sh.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await sh.WaitForExitAsync(deadline.Token);
        Assert.True(sh.ExitCode == 0, $"sh -n: {errors}\n{script}");
    }
}

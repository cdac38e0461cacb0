using System.Diagnostics;
using PgHaInfra.Pulumi.Containers;
using PgHaInfra.Rendering;
using PgHaInfra.Stack;

namespace PgHaInfra.Pulumi.Tests;

/// <summary>The start script each container runs: valid POSIX sh, and a replica clones its upstream through its own slot.</summary>
public sealed class NodeStartScriptTests
{
    public static TheoryData<string, string> Stacks() => StackFiles.All();

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Every_nodes_script_is_valid_sh_and_clones_replicas_from_their_upstream_through_their_slot(string directory, string stack)
    {
        var spec = await StackLoader.LoadAsync(new StackCatalog(directory), stack, CancellationToken.None);
        foreach (var node in spec.Nodes)
        {
            var script = NodeStartScript.Render(spec, node);
            await AssertValidShAsync(script);
            Assert.EndsWith($"exec {ContainerPaths.ImageEntrypoint} \"$@\"\n", script, StringComparison.Ordinal);
            Assert.Contains($"-f \"$conf/{NodeFiles.BootstrapSql}\"", script, StringComparison.Ordinal);
            Assert.Contains("gosu postgres psql -X -q -v ON_ERROR_STOP=1", script, StringComparison.Ordinal);
            if (spec.UpstreamOf(node) is { } upstream)
            {
                Assert.Contains($"--slot='{node.SlotName}'", script, StringComparison.Ordinal);
                Assert.Contains($"host={ClusterPlacement.DockerHostName(spec, upstream)} port=5432 user={spec.Replication.User} passfile={ContainerPaths.Passfile}", script, StringComparison.Ordinal);
                Assert.Contains($"\"$PGDATA/{NodeFiles.StandbySignal}\"", script, StringComparison.Ordinal);
            }
            else
            {
                Assert.DoesNotContain("pg_basebackup", script, StringComparison.Ordinal);
                Assert.DoesNotContain(NodeFiles.StandbySignal, script, StringComparison.Ordinal);
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

using System.Diagnostics;
using PgHaInfra.Local;

namespace PgHaInfra.Integration.Tests;

/// <summary>An `up` killed mid-way (during the replicas' pg_basebackup) converges when run again.</summary>
public sealed class InterruptedUpTests
{
    [Fact]
    public async Task Killed_up_converges_on_rerun()
    {
        await using var cluster = await TestCluster.StartAsync("it-killed", StackTemplates.Async(2), up: false);

        var killedOutput = "";
        using (var process = Process.Start(PghaProcess.StartInfo(cluster, "up"))!)
        {
            // Kill the CLI as soon as a replica's data directory appears: pg_basebackup is writing it.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!Directory.Exists(Path.Combine(cluster.StateDirectory, "data", "pg-2")) && !Directory.Exists(Path.Combine(cluster.StateDirectory, "data", "pg-3")))
            {
                if (process.HasExited)
                {
                    Assert.Fail($"up finished before it could be killed: {await process.StandardError.ReadToEndAsync()}");
                }

                Assert.True(DateTime.UtcNow < until, "no replica data directory appeared");
                await Task.Delay(2);
            }

            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync();
            killedOutput = await process.StandardError.ReadToEndAsync();
        }

        await cluster.OpenAsync();
        var plan = await cluster.PlanAsync();
        Assert.True(plan.Actions.Any(a => a is CreateNode { Node: "pg-2" or "pg-3" }),
            $"expected a rebuild; plan: [{string.Join("; ", plan.Actions.Select(a => a.Reason))}], data: [{string.Join(", ", Directory.EnumerateDirectories(Path.Combine(cluster.StateDirectory, "data")))}], state nodes: [{string.Join(", ", cluster.State?.Nodes.Keys ?? [])}]; killed up said: {killedOutput}");
        Assert.DoesNotContain(plan.Actions, a => a is CreateNode { Node: "pg-1" });

        await cluster.UpAsync();
        var report = await cluster.VerifyAsync();

        Assert.True(report.Passed, report.Summary);
        Assert.True((await cluster.PlanAsync()).IsEmpty);
        Assert.DoesNotContain(LeftoverProcesses.Under(cluster.Root), pid => File.ReadAllText($"/proc/{pid}/cmdline").Contains("pg_basebackup", StringComparison.Ordinal));
    }
}

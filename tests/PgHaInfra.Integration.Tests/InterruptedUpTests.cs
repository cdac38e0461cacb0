using System.Diagnostics;
using PgHaInfra.Local;

namespace PgHaInfra.Integration.Tests;

/// <summary>
/// An `up` killed mid-way (during the replicas' pg_basebackup) converges when run again. While it runs it holds the
/// stack: a second `up` is refused, and the kill releases the hold.
/// </summary>
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

            // Frozen mid-basebackup, it still holds the stack: a second `up` is refused at once and names it.
            using (var stop = Process.Start("kill", ["-STOP", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await stop.WaitForExitAsync();
            }

            var second = await PghaProcess.RunAsync(cluster, TimeSpan.FromSeconds(60), "up");
            Assert.True(second.ExitCode == 1, $"second up exited {second.ExitCode}:\n{second.Stderr}");
            Assert.Contains($"another pgha is changing this stack (pid {process.Id}, pgha up, since ", second.Stderr, StringComparison.Ordinal);

            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync();
            killedOutput = await process.StandardError.ReadToEndAsync();
        }

        // The kernel dropped the killed process's hold.
        StackLock.Acquire(new StateLayout(cluster.StateDirectory), "test").Dispose();

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

    /// <summary>
    /// A replica that cannot be made (a file holds its data directory's path, so its pg_basebackup fails at once)
    /// fails up: its sibling's pg_basebackup is cancelled, not finished and started; up reports the replica's own
    /// error, not the sibling's cancellation; nothing up started still runs when it returns; and once the path is
    /// free the next up makes both.
    /// </summary>
    [Fact]
    public async Task A_failing_replica_cancels_its_sibling_and_up_reports_the_failure()
    {
        await using var cluster = await TestCluster.StartAsync("it-failing", StackTemplates.Async(2), up: false);
        var blocked = cluster.DataDirectory("pg-3");
        Directory.CreateDirectory(Path.GetDirectoryName(blocked)!);
        await File.WriteAllTextAsync(blocked, "not a data directory\n");

        var failure = await Assert.ThrowsAsync<LocalEngineException>(() => cluster.UpAsync());

        Assert.Contains("pg_basebackup", failure.Message, StringComparison.Ordinal);
        Assert.Contains("pg-3", failure.Message, StringComparison.Ordinal);
        // The sibling was stopped mid-way: neither its pg_basebackup nor a server of its own outlived the failed up.
        Assert.Empty(LeftoverProcesses.Under(cluster.DataDirectory("pg-2")));
        Assert.False(File.Exists(Path.Combine(cluster.DataDirectory("pg-2"), "postmaster.pid")), "pg-2 was started although up had already failed");

        File.Delete(blocked);
        await cluster.OpenAsync();
        await cluster.UpAsync();
        var report = await cluster.VerifyAsync();
        Assert.True(report.Passed, report.Summary);
    }
}

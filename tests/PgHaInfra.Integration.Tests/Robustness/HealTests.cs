using System.Diagnostics;
using PgHaInfra.Local;

namespace PgHaInfra.Integration.Tests.Robustness;

/// <summary>`up` heals a replica that runs but does not stream: it restarts it, says why, and verification passes.</summary>
public sealed class HealTests
{
    [Fact]
    public async Task Up_restarts_a_replica_that_runs_with_a_stray_PGPASSWORD_and_does_not_stream()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        await using var test = await TestCluster.StartAsync("rb-heal", StackTemplates.Async(2), cancellationToken: deadline.Token);

        // The failure issue 13 reproduced: the replica restarted by hand with PGPASSWORD in its environment. libpq
        // prefers it to the passfile in primary_conninfo, so the WAL receiver fails to authenticate, again and again.
        await test.StopNodeAsync("pg-2", cancellationToken: deadline.Token);
        await StartWithStrayPasswordAsync(test, "pg-2", deadline.Token);
        await TestCluster.EventuallyAsync(
            async () => File.ReadAllText(test.Layout.LogFile("pg-2")).Contains("password authentication failed", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "pg-2 fails to authenticate with the stray PGPASSWORD");
        var broken = await test.VerifyAsync(TimeSpan.FromSeconds(2), cancellationToken: deadline.Token);
        Assert.False(broken.Passed);

        var plan = await test.PlanAsync(cancellationToken: deadline.Token);
        var heal = Assert.Single(plan.Actions.OfType<HealNode>());
        Assert.Equal(("pg-2", "pg-1"), (heal.Node, heal.Upstream));
        Assert.StartsWith("pg-2 runs but does not stream from pg-1", heal.Reason, StringComparison.Ordinal);
        Assert.Contains("last resort", heal.Reason, StringComparison.Ordinal);

        var up = await test.UpAsync(cancellationToken: deadline.Token);

        Assert.Contains(up.Steps, s => s is { Node: "pg-2", Step: "heal (restart)" });
        Assert.DoesNotContain(up.Steps, s => s.Node == "pg-2" && s.Step == "pg_basebackup");
        var report = await test.VerifyAsync(cancellationToken: deadline.Token);
        Assert.True(report.Passed, report.Summary);
        Assert.False((await test.UpAsync(cancellationToken: deadline.Token)).Changed, "a second up changes nothing");
    }

    /// <summary>pg_ctl start as the server user with PGPASSWORD set, as a shell with it exported would do: not through pgha.</summary>
    private static async Task StartWithStrayPasswordAsync(TestCluster test, string node, CancellationToken cancellationToken)
    {
        var binaries = await test.Cluster.BinariesAsync(cancellationToken);
        var info = new ProcessStartInfo(binaries.PathOf(PostgresBinaries.PgCtl))
        {
            ArgumentList = { "start", "--pgdata", test.DataDirectory(node), "--log", test.Layout.LogFile(node), "--wait", "--silent" },
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (test.Cluster.User.UserName is { } user)
        {
            info.UserName = user;
        }

        info.Environment["PGPASSWORD"] = "wrong-password-from-the-shell";
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync(cancellationToken);
        Assert.Equal(0, process.ExitCode);
        test.Access.DataSource(node).Clear();
    }
}

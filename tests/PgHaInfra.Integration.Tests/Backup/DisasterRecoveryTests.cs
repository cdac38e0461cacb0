using System.Diagnostics;
using PgHaInfra.Local;
using PgHaInfra.Operations.Backup;
using Xunit.Abstractions;

namespace PgHaInfra.Integration.Tests.Backup;

/// <summary>
/// docs/disaster-recovery.md, step by step, with the built pgha CLI as a separate process: the cluster lost, a table
/// dropped, and the delayed replica. Each "step n.m" comment names the runbook's step it runs.
/// </summary>
public sealed class DisasterRecoveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    /// <summary>`pgha` with explicit stack and state directory (for the side cluster, which is not the fixture's).</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> PghaAsync(TestCluster test, string stack, string stateDirectory, params string[] arguments)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, "pgha");
        var info = new ProcessStartInfo(apphost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = test.Root };
        var split = Array.IndexOf(arguments, "--");
        foreach (var argument in split < 0 ? arguments : arguments[..split])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in new[] { "--stacks-dir", test.StacksDirectory, "--stack", stack, "--state-dir", stateDirectory })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in split < 0 ? [] : arguments[split..])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(CommandTimeout);
        await process.WaitForExitAsync(cts.Token);
        var result = (process.ExitCode, await stdout, await stderr);
        output.WriteLine($"$ pgha {string.Join(' ', arguments)} --stack {stack} -> {result.ExitCode}\n{result.Item3.Trim()}");
        return result;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> PghaAsync(TestCluster test, params string[] arguments) =>
        PghaAsync(test, test.Stack, test.StateDirectory, arguments);

    private async Task<string> OkAsync(TestCluster test, params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await PghaAsync(test, arguments);
        Assert.True(exitCode == 0, $"pgha {string.Join(' ', arguments)} exited {exitCode}: {stderr}");
        return stdout;
    }

    private static async Task CreateOrdersAsync(TestCluster test, string node, int rows, CancellationToken cancellationToken)
    {
        await using var command = test.Access.DataSource(node).CreateCommand(
            $"create table if not exists orders (id int primary key, item text); insert into orders select g, 'item ' || g from generate_series((select coalesce(max(id), 0) + 1 from orders), (select coalesce(max(id), 0) + {rows} from orders)) g");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [Fact]
    public async Task Runbook_1_the_cluster_is_lost_and_restored_in_place_to_the_end_of_the_archive()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        using var repository = new BackupRepositoryDir();
        await using var test = await TestCluster.StartAsync("dr-lost", StackTemplates.Async(1, repository.Keys()), cancellationToken: deadline.Token);
        await CreateOrdersAsync(test, "pg-1", 100, deadline.Token);
        await OkAsync(test, "backup", "--type", "full");
        await CreateOrdersAsync(test, "pg-1", 50, deadline.Token);
        await ArchiveWait.SwitchAndWaitAsync(test.Access.DataSource("pg-1"), TimeSpan.FromSeconds(60), deadline.Token);

        // The loss: every server killed, every data directory gone; the repository survives.
        foreach (var node in test.Spec.Nodes)
        {
            await test.StopNodeAsync(node.Name, StopMode.Immediate, deadline.Token);
            Directory.Delete(test.DataDirectory(node.Name), recursive: true);
        }

        // Step 1.1: nothing of the old cluster runs.
        var (_, status, _) = await PghaAsync(test, "status", "--json");
        Assert.DoesNotContain("\"role\": \"primary\"", status, StringComparison.Ordinal);
        // Step 1.2: restore in place to the end of the archive.
        await OkAsync(test, "restore", "--to", "latest", "--in-place");
        // Step 1.3: every archived commit is back, on the primary and the remade replica.
        Assert.Equal("150", (await OkAsync(test, "psql", "--write", "--", "-Atc", "select count(*) from orders")).Trim());
        await test.OpenAsync(deadline.Token);
        await TestCluster.EventuallyAsync(async () => await test.QueryAsync<long>("pg-2", "select count(*) from orders", deadline.Token) == 150, TimeSpan.FromSeconds(20), "the remade replica holds the restored rows");
        // Step 1.4: a full backup of the new timeline.
        await OkAsync(test, "backup", "--type", "full");
        Assert.Contains("\"type\": \"full\"", await OkAsync(test, "backups", "--json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runbook_2_a_dropped_table_is_restored_into_a_side_cluster_and_copied_back()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        using var repository = new BackupRepositoryDir();
        await using var test = await TestCluster.StartAsync("dr-drop", StackTemplates.Async(1, repository.Keys()), cancellationToken: deadline.Token);
        await CreateOrdersAsync(test, "pg-1", 200, deadline.Token);
        await OkAsync(test, "backup");
        await Task.Delay(1100, deadline.Token); // a backup's stop time is kept in whole seconds
        await CreateOrdersAsync(test, "pg-1", 20, deadline.Token);
        // Step 2.1: the moment just before the mistake.
        var target = await test.QueryAsync<DateTime>("pg-1", "select clock_timestamp()", deadline.Token);
        await using (var drop = test.Access.DataSource("pg-1").CreateCommand("drop table orders"))
        {
            await drop.ExecuteNonQueryAsync(deadline.Token);
        }

        await ArchiveWait.SwitchAndWaitAsync(test.Access.DataSource("pg-1"), TimeSpan.FromSeconds(60), deadline.Token);

        // Step 2.2: restore into a side cluster with its own stack file (another name, other ports).
        var sidePort = PortBlock.Allocate(1)[0];
        await File.WriteAllTextAsync(Path.Combine(test.StacksDirectory, "Pulumi.dr-drop-side.yaml"),
            $"config:\n  pg-ha-infra:topology: single\n  pg-ha-infra:nodes:\n    - name: pg-1\n      port: {sidePort}\n", deadline.Token);
        var sideState = Path.Combine(test.Root, "side-state");
        await OkAsync(test, "restore", "--to", target.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture), "--into", "dr-drop-side", "--into-state-dir", sideState);

        // Step 2.3: copy the data back.
        var csv = Path.Combine(test.Root, "orders.csv");
        var copyOut = await PghaAsync(test, "dr-drop-side", sideState, "psql", "--write", "--", "-c", $"\\copy orders to '{csv}' csv");
        Assert.True(copyOut.ExitCode == 0, copyOut.Stderr);
        await OkAsync(test, "psql", "--write", "--", "-c", "create table orders (id int primary key, item text)");
        await OkAsync(test, "psql", "--write", "--", "-c", $"\\copy orders from '{csv}' csv");
        Assert.Equal(220L, await test.QueryAsync<long>("pg-1", "select count(*) from orders", deadline.Token));

        // Step 2.4: the side cluster goes.
        var down = await PghaAsync(test, "dr-drop-side", sideState, "down");
        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.False(Directory.Exists(sideState));
    }

    [Fact]
    public async Task Runbook_3_the_delayed_replica_is_paused_before_it_applies_a_bad_delete_read_and_resumed()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        using var repository = new BackupRepositoryDir();
        await using var test = await TestCluster.StartAsync("dr-delayed", repository.DelayedStack("20s"), cancellationToken: deadline.Token);
        await CreateOrdersAsync(test, "pg-1", 30, deadline.Token);
        await TestCluster.EventuallyAsync(async () =>
        {
            try
            {
                return await test.QueryAsync<long>("pg-dr", "select count(*) from orders", deadline.Token) == 30;
            }
            catch (Npgsql.PostgresException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "pg-dr applies the orders after its delay");

        // The mistake: a DELETE without its WHERE clause's second half.
        await using (var delete = test.Access.DataSource("pg-1").CreateCommand("delete from orders where id > 10"))
        {
            await delete.ExecuteNonQueryAsync(deadline.Token);
        }

        // Step 3.1: pause at once, within the delay (20 s: a loaded 2-core machine once took more than 8 s to get there).
        var mistake = Stopwatch.StartNew();
        await OkAsync(test, "psql", "--node", "pg-dr", "--", "-c", "select pg_wal_replay_pause()");
        output.WriteLine($"paused {mistake.Elapsed.TotalSeconds:0.0} s after the mistake");
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, 21 - mistake.Elapsed.TotalSeconds)), deadline.Token); // past the delay: unpaused, it would have deleted the rows by now
        // Step 3.2: read what was lost.
        var csv = Path.Combine(test.Root, "orders.csv");
        await OkAsync(test, "psql", "--node", "pg-dr", "--", "-c", $"\\copy orders to '{csv}' csv");
        Assert.Equal(30, (await File.ReadAllLinesAsync(csv, deadline.Token)).Length);
        // Step 3.3: resume; the replica applies the delete too.
        await OkAsync(test, "psql", "--node", "pg-dr", "--", "-c", "select pg_wal_replay_resume()");
        await TestCluster.EventuallyAsync(async () => await test.QueryAsync<long>("pg-dr", "select count(*) from orders", deadline.Token) == 10,
            TimeSpan.FromSeconds(30), "pg-dr applies the delete after it resumes");
    }
}

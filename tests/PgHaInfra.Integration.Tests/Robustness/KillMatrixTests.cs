using System.Diagnostics;
using System.Globalization;
using System.Text;
using PgHaInfra.Integration.Tests.Failover;
using PgHaInfra.Operations.Diagnostics;
using Xunit.Abstractions;

namespace PgHaInfra.Integration.Tests.Robustness;

/// <summary>
/// The kill matrix: the built `pgha` SIGKILLs itself (PGHA_TEST_DIE_AT) at every step of up, switchover, failover
/// and rejoin. After each kill the next `pgha up`, or else the same verb again and then `pgha up`, must leave a
/// verified cluster with exactly one primary, the one the engine records, and every acknowledged commit. One
/// cluster per verb; a cell that does not converge gets a fresh cluster, so the cells stay independent. The
/// rows (verb x step -> outcome) go to the test output and, as each cell ends, to kill-matrix-VERB.md beside the tests.
/// </summary>
public sealed class KillMatrixTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private sealed record Cell(string Verb, string Step, bool Killed, bool Converged, string Outcome);

    /// <summary>
    /// The cells of each verb, in the order its steps run (`step+`: right after the step). The promotion steps are
    /// PromotionRunner's: the target is recorded (record-primary) before pg_promote (promote).
    /// </summary>
    public static readonly TheoryData<string> Verbs = new() { "up", "switchover", "failover", "rejoin" };

    private static readonly string[] UpSteps = ["initdb@pg-1", "start@pg-1", "role + slots@pg-1", "role + slots+@pg-1", "pg_basebackup@pg-2", "pg_basebackup+@pg-2", "start+@pg-3"];

    private static readonly string[] SwitchoverSteps = ["fence", "final-lsn", "one-primary", "record-primary", "promote", "promote+", "re-point", "rejoin", "drop-orphan-slots", "drop-orphan-slots+"];

    private static readonly string[] FailoverSteps = ["fence", "one-primary", "record-primary", "promote", "promote+", "re-point", "drop-orphan-slots", "drop-orphan-slots+"];

    private static readonly string[] RejoinSteps = ["rejoin", "drop-orphan-slots", "drop-orphan-slots+"];

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_step_survives_a_sigkill(string verb)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var cells = new List<Cell>();
        await using var test = await TestCluster.StartAsync($"rb-kill-{verb[..2]}", StackTemplates.Async(2), up: verb != "up", cancellationToken: deadline.Token);
        var clock = Stopwatch.StartNew();
        var progress = Path.Combine(AppContext.BaseDirectory, $"kill-matrix-{verb}.md");
        await File.WriteAllTextAsync(progress, "| verb | killed at step | outcome |\n| --- | --- | --- |\n", deadline.Token);
        // Each cell as it ends, so a long run can be watched (xunit shows the test output only at the end).
        async Task AddAsync(Cell cell)
        {
            cells.Add(cell);
            await File.AppendAllTextAsync(progress, Row(cell), deadline.Token);
            if (!cell.Converged)
            {
                await FreshAsync(test, deadline.Token);
            }
        }

        switch (verb)
        {
            case "up":
                // up from nothing: each kill leaves a half-made cluster that the next up must finish.
                foreach (var step in UpSteps)
                {
                    await RunAsync(test, "down");
                    var killed = await RunAsync(test, "up", step);
                    await AddAsync(await ConvergeAsync(test, "up", step, killed, ["up"], expectedMarks: 0, deadline.Token));
                }

                break;
            case "switchover":
                foreach (var step in SwitchoverSteps)
                {
                    var marks = await MarkAsync(test, $"switchover {step}", deadline.Token);
                    var target = test.Spec.Replicas.First().Name;
                    var killed = await RunAsync(test, $"switchover --to {target}", step);
                    await AddAsync(await ConvergeAsync(test, "switchover", step, killed, [$"switchover --to {target}"], marks, deadline.Token));
                }

                break;
            case "failover":
                foreach (var step in FailoverSteps)
                {
                    var marks = await MarkAsync(test, $"failover {step}", deadline.Token);
                    await CrashPrimaryAsync(test, deadline.Token);
                    var killed = await RunAsync(test, "failover", step);
                    await AddAsync(await ConvergeAsync(test, "failover", step, killed, ["failover"], marks, deadline.Token));
                }

                break;
            default:
                foreach (var step in RejoinSteps)
                {
                    var marks = await MarkAsync(test, $"rejoin {step}", deadline.Token);
                    var old = test.Spec.Primary;
                    await CrashPrimaryAsync(test, deadline.Token);
                    var failover = await RunAsync(test, "failover");
                    Assert.True(failover.ExitCode == 0, failover.ToString());
                    var killed = await RunAsync(test, $"rejoin --node {old}", step);
                    await AddAsync(await ConvergeAsync(test, "rejoin", step, killed, [$"rejoin --node {old}"], marks, deadline.Token));
                }

                break;
        }

        var table = string.Concat(cells.Select(Row)) + $"\n{cells.Count(c => c.Converged)} of {cells.Count} {verb} cells converged in {clock.Elapsed.TotalSeconds:0} s.\n";
        output.WriteLine(table);
        Assert.True(cells.All(c => c.Killed && c.Converged), table);
    }

    [Fact]
    public async Task A_switchover_killed_at_promote_is_finished_by_up_and_plan_says_so_first()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await using var test = await TestCluster.StartAsync("rb-kill-fin", StackTemplates.Async(2), cancellationToken: deadline.Token);
        var marks = await MarkAsync(test, "before the switchover", deadline.Token);
        var target = test.Spec.Replicas.First().Name;
        var killed = await RunAsync(test, $"switchover --to {target}", "promote");
        Assert.True(killed.Killed, killed.ToString());

        // Recorded, never promoted: plan shows the promotion up will finish, with its reason, and no problem.
        var plan = await RunAsync(test, "plan");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(plan.Stdout, $@"\^\s+{target}\s+promote\s+{target} is the recorded primary but runs in recovery"), plan.Stdout);
        Assert.DoesNotContain("problem", plan.Stdout, StringComparison.Ordinal);

        var up = await RunAsync(test, "up");
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Null(await CheckAsync(test, marks, deadline.Token));
        Assert.Equal(target, test.Spec.Primary);
    }

    [Fact]
    public async Task Sigint_stops_up_cleanly_with_a_clear_message_and_the_next_up_converges()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        await using var test = await TestCluster.StartAsync("rb-sigint", StackTemplates.Async(2), up: false, cancellationToken: deadline.Token);
        var info = PghaProcess.StartInfo(test, "up");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        // SIGINT while a replica's pg_basebackup runs (watched in /proc every 5 ms, not through progress lines, which
        // come only as a step ends and can arrive after a fast `up` is already past the copies).
        while (!LeftoverProcesses.Under(test.Root).Any(pid => CommandLine(pid).Contains("pg_basebackup", StringComparison.Ordinal)))
        {
            if (process.HasExited)
            {
                Assert.Fail($"up ended before any pg_basebackup started (exit {process.ExitCode})");
            }

            await Task.Delay(5, deadline.Token);
        }

        Interrupt.Send(process);

        await process.WaitForExitAsync(deadline.Token);
        var error = await stderr;
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{await stdout}\n{error}");
        Assert.Contains("pgha: interrupted", error, StringComparison.Ordinal);
        Assert.Contains("pgha up", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        // A clean stop: no pg_basebackup of the interrupted run keeps writing.
        Assert.DoesNotContain(LeftoverProcesses.Under(test.Root), pid => CommandLine(pid).Contains("pg_basebackup", StringComparison.Ordinal));

        var again = await PghaRun.RunAsync(test, null, Timeout, "up");
        Assert.True(again.ExitCode == 0, again.ToString());
        await test.OpenAsync(deadline.Token);
        Assert.True((await test.VerifyAsync(cancellationToken: deadline.Token)).Passed);
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static Task<PghaRun.Outcome> RunAsync(TestCluster test, string command, string? dieAt = null) =>
        PghaRun.RunAsync(test, dieAt is null ? null : new Dictionary<string, string> { [TestDieAt.Variable] = dieAt }, Timeout, command.Split(' '));

    /// <summary>Runs each recovery in turn (`up` first) until the cluster checks out; the outcome says which one did it.</summary>
    private static async Task<Cell> ConvergeAsync(TestCluster test, string verb, string step, PghaRun.Outcome killed, string[] again, int expectedMarks, CancellationToken cancellationToken)
    {
        if (!killed.Killed)
        {
            return new Cell(verb, step, false, false, $"step never reached: {FirstLine(killed.Stderr)} (exit {killed.ExitCode})");
        }

        var tried = new List<string>();
        foreach (var recovery in new[] { new[] { "up" }, [.. again, "up"] })
        {
            var failed = false;
            foreach (var command in recovery)
            {
                var run = await RunAsync(test, command);
                if (run.ExitCode != 0)
                {
                    tried.Add($"`{command}` failed: {FirstLine(run.Stderr + run.Stdout)}");
                    failed = true;
                    break;
                }
            }

            if (!failed && await CheckAsync(test, expectedMarks, cancellationToken) is { } problem)
            {
                tried.Add($"`{string.Join("` + `", recovery)}` left {problem}");
                failed = true;
            }

            if (!failed)
            {
                var how = string.Join(" + ", recovery);
                return new Cell(verb, step, true, true, $"{(tried.Count > 0 ? string.Join("; ", tried) + "; then " : "")}`{how}` converged: {test.Spec.Primary} primary, {expectedMarks} commits kept");
            }
        }

        return new Cell(verb, step, true, false, string.Join("; ", tried));
    }

    /// <summary>Null when the cluster verifies, has exactly one primary (the recorded one) and every mark; else what is wrong.</summary>
    private static async Task<string?> CheckAsync(TestCluster test, int expectedMarks, CancellationToken cancellationToken)
    {
        await test.OpenAsync(cancellationToken);
        var primaries = new List<string>();
        foreach (var node in test.Spec.Nodes)
        {
            try
            {
                if (!await test.QueryAsync<bool>(node.Name, "SELECT pg_is_in_recovery()", cancellationToken))
                {
                    primaries.Add(node.Name);
                }
            }
            catch (Npgsql.NpgsqlException)
            {
                // Not running: not a primary. The check below reports it.
            }
        }

        if (primaries.Count != 1 || primaries[0] != test.Spec.Primary)
        {
            return $"primaries [{string.Join(", ", primaries)}] where the engine records {test.Spec.Primary}";
        }

        if (expectedMarks > 0)
        {
            var kept = await test.QueryAsync<long>(test.Spec.Primary, "SELECT count(*) FROM kill_matrix", cancellationToken);
            if (kept != expectedMarks)
            {
                return $"{kept} of {expectedMarks} acknowledged commits on {test.Spec.Primary}";
            }
        }

        var report = await test.VerifyAsync(TimeSpan.FromSeconds(20), cancellationToken: cancellationToken);
        return report.Passed ? null : $"a failed check: {FirstLine(report.Summary)}";
    }

    /// <summary>Commits one row on the primary and waits until every replica replayed it: then no failover may lose it.</summary>
    private static async Task<int> MarkAsync(TestCluster test, string cell, CancellationToken cancellationToken)
    {
        await test.OpenAsync(cancellationToken);
        var primary = test.Spec.Primary;
        await test.QueryAsync<int>(primary, $"CREATE TABLE IF NOT EXISTS kill_matrix (cell text); INSERT INTO kill_matrix VALUES ('{cell}'); SELECT 1", cancellationToken);
        var count = (int)await test.QueryAsync<long>(primary, "SELECT count(*) FROM kill_matrix", cancellationToken);
        var lsn = await test.QueryAsync<string>(primary, "SELECT pg_current_wal_lsn()::text", cancellationToken);
        foreach (var replica in test.Spec.Replicas)
        {
            await TestCluster.EventuallyAsync(async () => await test.QueryAsync<bool>(replica.Name, $"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn", cancellationToken),
                TimeSpan.FromSeconds(10), $"{replica.Name} replays the mark of {cell}");
        }

        return count;
    }

    private static async Task CrashPrimaryAsync(TestCluster test, CancellationToken cancellationToken)
    {
        await test.OpenAsync(cancellationToken);
        await using var harness = await FailoverHarness.OpenAsync(test, cancellationToken);
        await harness.Control.CrashAsync(harness.Spec.PrimaryNode, cancellationToken);
    }

    private static async Task FreshAsync(TestCluster test, CancellationToken cancellationToken)
    {
        await RunAsync(test, "down");
        var up = await RunAsync(test, "up");
        Assert.True(up.ExitCode == 0, up.ToString());
        await test.OpenAsync(cancellationToken);
    }

    /// <summary>The error pgha printed (its `pgha:` line), else the first line; cut for a table cell.</summary>
    private static string FirstLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("pgha: PGHA_TEST_DIE_AT", StringComparison.Ordinal)).ToList();
        var line = lines.FirstOrDefault(l => l.StartsWith("pgha:", StringComparison.Ordinal) || l.StartsWith("FAILED", StringComparison.Ordinal)) ?? lines.FirstOrDefault();
        return line is null ? "(no output)" : (line.Length > 300 ? line[..300] + "..." : line).Replace("|", "\\|", StringComparison.Ordinal);
    }

    private static string Row(Cell c) =>
        string.Create(CultureInfo.InvariantCulture, $"| {c.Verb} | `{c.Step}` | {(c.Converged ? "PASS" : "FAIL")}: {c.Outcome} |\n");
}

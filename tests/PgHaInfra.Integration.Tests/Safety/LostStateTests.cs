namespace PgHaInfra.Integration.Tests.Safety;

/// <summary>
/// A lost or truncated state.json never costs data: `plan` and `up` refuse, name each node and the way out, and
/// `up --adopt` records what is there, keeping every row.
/// </summary>
public sealed class LostStateTests
{
    private static readonly TimeSpan Cli = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_lost_state_json_is_refused_with_the_way_out_and_up_adopt_keeps_every_row()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await using var test = await TestCluster.StartAsync("safe-lost", StackTemplates.Async(2), cancellationToken: deadline.Token);
        await test.QueryAsync<int>("pg-1", "CREATE TABLE precious (n int); INSERT INTO precious VALUES (42); SELECT 1", deadline.Token);
        File.Move(test.Layout.StateFile, Path.Combine(test.Root, "state.json.moved"));

        var plan = await PghaProcess.RunAsync(test, Cli, "plan");
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        foreach (var node in new[] { "pg-1", "pg-2", "pg-3" })
        {
            Assert.Contains($"! problem: {node}'s data directory holds a database cluster", plan.Stdout, StringComparison.Ordinal);
            Assert.Contains($"`pgha up --rebuild {node}`", plan.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("`pgha up --adopt`", plan.Stdout, StringComparison.Ordinal);
        var planned = System.Text.Json.Nodes.JsonNode.Parse((await PghaProcess.RunAsync(test, Cli, "plan", "--json")).Stdout)!;
        Assert.DoesNotContain(planned["actions"]!.AsArray(), a => (string)a!["kind"]! is "create" or "rebuild" or "remove");

        var up = await PghaProcess.RunAsync(test, Cli, "up");
        Assert.True(up.ExitCode == 1, up.Stdout + up.Stderr);
        Assert.Contains("up refused to act", up.Stderr, StringComparison.Ordinal);
        Assert.Equal(42, await test.QueryAsync<int>("pg-1", "SELECT n FROM precious", deadline.Token));

        var adopt = await PghaProcess.RunAsync(test, Cli, "up", "--adopt");
        Assert.True(adopt.ExitCode == 0, adopt.Stderr);
        await test.OpenAsync(deadline.Token);
        Assert.Equal("pg-1", test.State!.Primary);
        Assert.Contains("adopted by `up --adopt`", test.State.PrimaryReason, StringComparison.Ordinal);
        Assert.Equal(["pg-1", "pg-2", "pg-3"], test.State.Nodes.Keys);
        Assert.Equal(42, await test.QueryAsync<int>("pg-1", "SELECT n FROM precious", deadline.Token));
        Assert.Equal(42, await test.QueryAsync<int>("pg-3", "SELECT n FROM precious", deadline.Token));

        // The other way out is explicit consent, shown as destructive before it is done.
        var rebuild = await PghaProcess.RunAsync(test, Cli, "plan", "--rebuild", "pg-3");
        Assert.Contains("destructive: pg-3 rebuild", rebuild.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_state_json_is_refused_without_advice_to_start_over_and_up_adopt_keeps_the_file_and_the_data()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await using var test = await TestCluster.StartAsync("safe-trunc", StackTemplates.Async(1), cancellationToken: deadline.Token);
        await test.QueryAsync<int>("pg-1", "CREATE TABLE precious (n int); INSERT INTO precious VALUES (7); SELECT 1", deadline.Token);
        // What a power loss after a rename without fsync leaves: an empty state.json.
        await File.WriteAllTextAsync(test.Layout.StateFile, "", deadline.Token);

        var up = await PghaProcess.RunAsync(test, Cli, "up");
        Assert.True(up.ExitCode == 1, up.Stdout + up.Stderr);
        Assert.Contains("state.json is unreadable (it is empty)", up.Stderr, StringComparison.Ordinal);
        Assert.Contains("`pgha up --adopt`", up.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("start over", up.Stderr, StringComparison.Ordinal);
        var plan = await PghaProcess.RunAsync(test, Cli, "plan");
        Assert.True(plan.ExitCode == 1, plan.Stdout);
        Assert.Contains("deletes no data because of it", plan.Stderr, StringComparison.Ordinal);
        Assert.Equal(7, await test.QueryAsync<int>("pg-1", "SELECT n FROM precious", deadline.Token));

        var adopt = await PghaProcess.RunAsync(test, Cli, "up", "--adopt");
        Assert.True(adopt.ExitCode == 0, adopt.Stderr);
        Assert.Single(Directory.GetFiles(test.Layout.Root, "state.json.unreadable-*"));
        await test.OpenAsync(deadline.Token);
        Assert.Equal("pg-1", test.State!.Primary);
        Assert.Equal(7, await test.QueryAsync<int>("pg-1", "SELECT n FROM precious", deadline.Token));
        Assert.Equal(7, await test.QueryAsync<int>("pg-2", "SELECT n FROM precious", deadline.Token));
    }
}

using PgHaInfra.Examples.ReadWrite;
using PgHaInfra.Integration.Tests.Failover;
using PgHaInfra.Operations.Failover;
using Xunit.Abstractions;

namespace PgHaInfra.Integration.Tests.Applications;

/// <summary>
/// The example's writes through pgha's own switchover and failover (PromotionRunner, as `pgha switchover` and
/// `pgha failover` run it) under load: they resume on the new primary within the measured outage, and no acknowledged
/// write is lost. What the application saw (errors, outcomes, retries) is reported; docs/applications.md quotes it.
/// </summary>
public sealed class FailoverUnderLoadTests(ITestOutputHelper output)
{
    /// <summary>
    /// What the example may add to pgha's outage: its host-role cache (Host Recheck Seconds = 1) and reconnecting.
    /// Npgsql's default cache of 10 s made the gap 8.4 s, which this bound rejects.
    /// </summary>
    private static readonly TimeSpan Allowance = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Through_a_switchover_the_example_writes_resume_on_the_new_primary_within_the_outage_and_lose_nothing()
    {
        using var deadline = FailoverHarness.Deadline();
        await using var test = await TestCluster.StartAsync("app-switch", StackTemplates.Async(2), cancellationToken: deadline.Token);
        await RunAsync(test, "switchover", async (harness, ct) =>
        {
            var observation = await harness.ObserveAsync(ct);
            var target = CandidateSelection.Choose(harness.Spec, observation, force: false);
            var plan = SwitchoverPlanner.Plan(harness.Spec, observation, target.Chosen!, force: false).Plan!;
            var report = await harness.Runner.SwitchoverAsync(plan, rejoin: true, ct);
            Assert.True(report.Succeeded, report.Error);
            // Writes stop being accepted when the fast shutdown of the old primary begins.
            return (report, report.StepNamed("fence")!.StartedAt);
        }, deadline.Token);
    }

    [Fact]
    public async Task Through_a_failover_on_the_sync_stack_the_example_writes_resume_on_the_new_primary_and_lose_nothing()
    {
        using var deadline = FailoverHarness.Deadline();
        await using var test = await TestCluster.StartAsync("app-failover", StackTemplates.SyncFirst, cancellationToken: deadline.Token);
        await RunAsync(test, "failover", async (harness, ct) =>
        {
            var crashedAt = DateTimeOffset.UtcNow;
            await harness.Control.CrashAsync(harness.Spec.PrimaryNode, ct);
            var decision = FailoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(ct), null, force: false);
            Assert.True(decision.Proceed, decision.Reason);
            var report = await harness.Runner.FailoverAsync(decision.Plan!, rejoin: false, ct);
            Assert.True(report.Succeeded, report.Error);
            return (report, crashedAt);
        }, deadline.Token);
    }

    private async Task RunAsync(TestCluster test, string kind, Func<FailoverHarness, CancellationToken, Task<(PromotionReport Report, DateTimeOffset WritesStopped)>> promote, CancellationToken ct)
    {
        await using var harness = await FailoverHarness.OpenAsync(test, ct);
        await using var database = AppConnection.Open(harness.Access);
        var store = new OrderStore(database);
        await store.CreateSchemaAsync(ct);
        var oldPrimary = harness.Spec.Primary;
        // The reader starts at once: it must not race the replicas' replay of CREATE TABLE (that is replica lag, not failover).
        foreach (var replica in harness.Spec.Replicas)
        {
            await TestCluster.EventuallyAsync(() => harness.QueryAsync<bool>(replica.Name, $"SELECT to_regclass('{OrderStore.Table}') IS NOT NULL", ct),
                TimeSpan.FromSeconds(10), $"{replica.Name} has {OrderStore.Table}");
        }

        await using var load = new WriteLoad(store, writers: 3, pause: TimeSpan.FromMilliseconds(2));
        load.Start();
        await Task.Delay(TimeSpan.FromSeconds(1.5), ct);

        var (report, writesStopped) = await promote(harness, ct);
        var promoted = report.StepNamed("promote")!.EndedAt;
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        await load.StopAsync();

        var attempts = load.Attempts;
        var newPrimary = report.NewPrimary;
        var present = new HashSet<Guid>();
        await using (var command = harness.Access.DataSource(newPrimary).CreateCommand($"SELECT key FROM {OrderStore.Table}"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                present.Add(reader.GetGuid(0));
            }
        }

        var outage = promoted - writesStopped;
        var (gap, gapFrom) = load.LongestGap();
        var acknowledged = attempts.Where(a => a.Acknowledged).ToList();
        var lost = acknowledged.Where(a => !present.Contains(a.Key)).ToList();
        var firstOnNew = acknowledged.Where(a => a.Result!.Node == newPrimary).MinBy(a => a.EndedAt);
        output.WriteLine($"{kind} {oldPrimary} -> {newPrimary}: pgha's outage (writes refused -> new primary writable) {outage.TotalMilliseconds:0} ms; " +
            $"steps: {string.Join(", ", report.Steps.Select(s => $"{s.Step} {s.Elapsed.TotalMilliseconds:0} ms"))}");
        output.WriteLine($"the example: {attempts.Length} writes, {acknowledged.Count} acknowledged, {lost.Count} acknowledged but lost; " +
            $"longest gap between acknowledgements {gap.TotalMilliseconds:0} ms, from {(gapFrom - writesStopped).TotalMilliseconds:0} ms after writes stopped; " +
            $"first write on {newPrimary} acknowledged {((firstOnNew?.EndedAt ?? DateTimeOffset.MinValue) - writesStopped).TotalMilliseconds:0} ms after writes stopped");
        output.WriteLine($"retried and acknowledged: {acknowledged.Count(a => a.Result!.Attempts == 2)} (of which the retry found the first attempt committed: {acknowledged.Count(a => a.Result!.FoundCommitted)})");
        foreach (var group in attempts.SelectMany(a => a.Result?.Failures ?? a.Failure!.Failures).GroupBy(f => $"{f.Outcome}: {Shorten(f.Error)}").OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  seen {group.Count(),4} x {group.Key}");
        }

        foreach (var failed in attempts.Where(a => !a.Acknowledged))
        {
            output.WriteLine($"  not acknowledged ({failed.Failure!.Outcome}, committed anyway: {present.Contains(failed.Key)}): {failed.Failure.Message}");
        }

        var reads = load.Reads;
        var readGap = reads.Where(r => r.Node is not null).Select(r => r.At).Zip(reads.Where(r => r.Node is not null).Select(r => r.At).Skip(1), (a, b) => b - a).DefaultIfEmpty().Max();
        output.WriteLine($"reads through the read pool: {reads.Length}, {reads.Count(r => r.Error is not null)} failed after the one retry, longest gap {readGap.TotalMilliseconds:0} ms; " +
            "served by " + string.Join(", ", reads.Where(r => r.Node is not null).GroupBy(r => r.Node!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
        foreach (var group in reads.Where(r => r.Error is not null).GroupBy(r => Shorten(r.Error!)))
        {
            output.WriteLine($"  read failed {group.Count(),4} x {group.Key}");
        }

        Assert.Empty(lost);
        // One retry after waiting for the new primary is enough: every write was acknowledged, some of them on the retry.
        Assert.All(attempts, a => Assert.True(a.Acknowledged, a.Failure?.Message));
        Assert.Contains(acknowledged, a => a.Result!.Attempts == 2);
        Assert.NotNull(firstOnNew);
        Assert.DoesNotContain(acknowledged, a => a.Result!.Node == oldPrimary && a.StartedAt > promoted);
        Assert.True(gap <= outage + Allowance,
            $"the example's writes resumed {gap.TotalMilliseconds:0} ms after they stopped; pgha's outage was {outage.TotalMilliseconds:0} ms (+{Allowance.TotalMilliseconds:0} ms allowed)");
        // Every write either committed or says it may not have: none claims NotApplied yet committed.
        Assert.DoesNotContain(attempts, a => !a.Acknowledged && a.Failure!.Outcome == WriteOutcome.NotApplied && present.Contains(a.Key));
    }

    /// <summary>An error without its per-connection details (hosts, ports, pids), so equal errors group together.</summary>
    private static string Shorten(string error) => System.Text.RegularExpressions.Regex.Replace(error, @"\d+\.\d+\.\d+\.\d+:\d+|\(\d+\)", "…");
}

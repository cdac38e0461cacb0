using System.Diagnostics;
using PgHaInfra.Integration.Tests.Failover;
using PgHaInfra.Local;
using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Integration.Tests.Safety;

/// <summary>
/// One slot policy: pgha drops only slots of its own naming, and only while nothing streams through them. A user's slot
/// with a live pg_receivewal is untouched by `up`, a switchover and a failover (the walsender is never terminated).
/// </summary>
public sealed class UserSlotTests
{
    [Fact]
    public async Task A_user_slot_with_a_live_pg_receivewal_survives_up_switchover_and_failover()
    {
        using var deadline = FailoverHarness.Deadline(300);
        await using var test = await TestCluster.StartAsync("safe-slot", StackTemplates.Async(2), cancellationToken: deadline.Token);
        // On pg-3, a replica that only ever gets re-pointed (a reload): its walsenders have no reason to end.
        await test.QueryAsync<int>("pg-3", "SELECT 1 FROM pg_create_physical_replication_slot('archive_slot', true)", deadline.Token);
        var binaries = await test.Cluster.BinariesAsync(deadline.Token);
        var wal = Path.Combine(test.Root, "receivewal");
        Directory.CreateDirectory(wal);
        var info = new ProcessStartInfo(binaries.PathOf("pg_receivewal"))
        {
            ArgumentList = { "--directory", wal, "--slot", "archive_slot", "--host", "127.0.0.1", "--port", test.Spec.Node("pg-3").Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--username", test.Spec.Replication.User, "--no-password" },
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        info.Environment["PGPASSFILE"] = test.Layout.ReplicationPassfile;
        using var receivewal = Process.Start(info)!;
        try
        {
            async Task<int?> ActivePidAsync() =>
                await test.QueryAsync<object>("pg-3", "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'archive_slot'", deadline.Token) is int pid ? pid : null;

            await TestCluster.EventuallyAsync(async () => await ActivePidAsync() is not null, TimeSpan.FromSeconds(15), "pg_receivewal streams through archive_slot");
            var walsender = await ActivePidAsync();

            var plan = await test.PlanAsync(cancellationToken: deadline.Token);
            Assert.DoesNotContain(plan.Actions, a => a is DropSlot);
            Assert.Contains(plan.Notes, n => n.StartsWith("slot archive_slot on pg-3 is not of pgha's naming", StringComparison.Ordinal));
            await test.UpAsync(cancellationToken: deadline.Token);
            Assert.Equal(walsender, await ActivePidAsync());
            Assert.False(receivewal.HasExited, "pgha up must not end pg_receivewal");

            await using (var harness = await FailoverHarness.OpenAsync(test, deadline.Token))
            {
                var switchover = SwitchoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(deadline.Token), "pg-2", force: false);
                Assert.True(switchover.Proceed, switchover.Reason);
                var report = await harness.Runner.SwitchoverAsync(switchover.Plan!, rejoin: true, deadline.Token);
                Assert.True(report.Succeeded, report.Error);
            }

            // A timeline switch on pg-3's upstream ends the walsender's START_REPLICATION command, and pg_receivewal
            // asks again for the new timeline: between the two commands the slot is briefly unowned.
            await TestCluster.EventuallyAsync(async () => await ActivePidAsync() is not null, TimeSpan.FromSeconds(20), "pg_receivewal streams through archive_slot after the switchover");
            await test.OpenAsync(deadline.Token);
            await using (var harness = await FailoverHarness.OpenAsync(test, deadline.Token))
            {
                await harness.Control.CrashAsync(harness.Spec.Node("pg-2"), deadline.Token);
                var failover = FailoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(deadline.Token), "pg-1", force: true);
                Assert.True(failover.Proceed, failover.Reason);
                var report = await harness.Runner.FailoverAsync(failover.Plan!, rejoin: false, deadline.Token);
                Assert.True(report.Succeeded, report.Error);
            }

            await TestCluster.EventuallyAsync(async () => await ActivePidAsync() is not null, TimeSpan.FromSeconds(20), "pg_receivewal streams through archive_slot after the failover");
            Assert.False(receivewal.HasExited, "no verb of pgha may end pg_receivewal");
            Assert.True(Directory.EnumerateFiles(wal).Any(), "pg_receivewal received WAL");
        }
        finally
        {
            receivewal.Kill();
            await receivewal.WaitForExitAsync(CancellationToken.None);
        }
    }
}

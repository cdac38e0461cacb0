using System.Diagnostics;
using System.Text.Json;
using PgHaInfra.Operations.Lag;

namespace PgHaInfra.Integration.Tests.Lag;

/// <summary>`pgha lag` against real PostgreSQL: levels rise with real lag and fall back, from both sides.</summary>
[Collection(LagCluster.Collection)]
public sealed class LagProbeTests(LagCluster fixture)
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task An_idle_cluster_stays_ok_including_time_lag()
    {
        await fixture.WaitUntilOkAsync(TimeSpan.FromSeconds(20));

        // Idle for longer than the time thresholds: replay_lag goes stale or NULL and the last commit ages, and
        // neither may read as lag.
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            var report = await fixture.AssessAsync();
            Assert.True(report.Level == LagLevel.Ok, $"idle round {i}: {report.Level}: {report.Reason}");
            Assert.All(report.Replicas, r =>
            {
                Assert.Equal(TimeSpan.Zero, r.TimeLag);
                Assert.Equal(0, r.LagBytes);
                Assert.True(r.Streaming);
            });
            Assert.Equal(0, report.ExitCode);
        }
    }

    [Fact]
    public async Task Paused_replay_under_writes_goes_warning_then_critical_and_resuming_brings_it_back_to_ok()
    {
        await fixture.WaitUntilOkAsync(TimeSpan.FromSeconds(20));
        await Cluster.QueryAsync<string>("pg-2", "SELECT pg_wal_replay_pause()::text");
        var seen = new List<(LagLevel Level, long? Bytes, TimeSpan? Time, string Reason)>();
        try
        {
            // About 1.5 MB/s of WAL, as light writes make here, until pg-2 is critical on both bytes and time.
            var until = Stopwatch.StartNew();
            while (until.Elapsed < TimeSpan.FromSeconds(30))
            {
                await fixture.WriteAsync(300);
                var pg2 = (await fixture.AssessAsync()).Replicas.Single(r => r.Replica == "pg-2");
                seen.Add((pg2.Level, pg2.LagBytes, pg2.TimeLag, pg2.Reason));
                if (pg2.Level == LagLevel.Critical && pg2.LagBytes > 4 << 20 && pg2.TimeLag > TimeSpan.FromSeconds(4))
                {
                    break;
                }

                await Task.Delay(150);
            }

            var story = string.Join("\n", seen.Select(s => $"{s.Level} {s.Bytes} B {s.Time} {s.Reason}"));
            var firstWarning = seen.FindIndex(s => s.Level == LagLevel.Warning);
            var firstCritical = seen.FindIndex(s => s.Level == LagLevel.Critical);
            Assert.True(firstWarning >= 0 && firstCritical > firstWarning, $"expected warning, then critical:\n{story}");
            Assert.True(seen[^1].Level == LagLevel.Critical && seen[^1].Bytes > 4 << 20 && seen[^1].Time > TimeSpan.FromSeconds(4),
                $"expected byte and time lag over the critical levels:\n{story}");
            Assert.Contains("with replay paused", seen[^1].Reason);
            Assert.Contains(seen, s => s.Level == LagLevel.Warning
                                       && ((s.Time > TimeSpan.FromSeconds(2) && s.Time <= TimeSpan.FromSeconds(4)) || s.Bytes is > 1 << 20 and <= 4 << 20));

            // The command line says the same, with the Nagios exit code.
            var (exitCode, stdout, stderr) = await PghaProcess.RunAsync(Cluster, TimeSpan.FromSeconds(60), "lag", "--json");
            Assert.True(exitCode == 2, $"pgha lag exited {exitCode}: {stderr}\n{stdout}");
            using var json = JsonDocument.Parse(stdout);
            Assert.Equal("critical", json.RootElement.GetProperty("level").GetString());
            var replica = json.RootElement.GetProperty("replicas").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "pg-2");
            Assert.True(replica.GetProperty("replayPaused").GetBoolean());
            Assert.True(replica.GetProperty("lagBytes").GetInt64() > 4 << 20);
        }
        finally
        {
            await Cluster.QueryAsync<string>("pg-2", "SELECT pg_wal_replay_resume()::text");
        }

        await fixture.WaitUntilOkAsync(TimeSpan.FromSeconds(15));
        var after = await PghaProcess.RunAsync(Cluster, TimeSpan.FromSeconds(60), "lag");
        Assert.True(after.ExitCode == 0, $"after resume, pgha lag exited {after.ExitCode}: {after.Stderr}\n{after.Stdout}");
        Assert.Contains("all 3 replica(s)", after.Stdout);
    }

    [Fact]
    public async Task A_stopped_replica_is_critical_not_streaming_and_its_slot_retains_more_and_more_wal()
    {
        await fixture.WaitUntilOkAsync(TimeSpan.FromSeconds(20));
        await Cluster.StopNodeAsync("pg-2");
        try
        {
            var stopped = await fixture.AssessAsync();
            var pg2 = stopped.Replicas.Single(r => r.Replica == "pg-2");
            Assert.Equal(LagLevel.Critical, pg2.Level);
            Assert.False(pg2.Streaming);
            Assert.StartsWith("pg-2 is not streaming: pg-1 has no WAL sender for it, and pg-2 did not answer", pg2.Reason);
            Assert.Equal(LagLevel.Critical, stopped.Level);
            Assert.Equal(2, stopped.ExitCode);
            Assert.False(stopped.Nodes.Single(n => n.Node == "pg-2").Reachable);

            var slotBefore = stopped.Slots.Single(s => s.Node == "pg-1" && s.Slot == "pg_2");
            Assert.False(slotBefore.Active);
            Assert.Equal("pg-2", slotBefore.Replica);

            await fixture.WriteAsync(2500);
            var later = await fixture.AssessAsync();
            var slotAfter = later.Slots.Single(s => s.Node == "pg-1" && s.Slot == "pg_2");
            Assert.True(slotAfter.RetainedBytes > slotBefore.RetainedBytes + (1 << 20),
                $"retained {slotBefore.RetainedBytes} then {slotAfter.RetainedBytes}");
            Assert.NotEqual(LagLevel.Ok, slotAfter.Level);
            Assert.Contains("is inactive and retains", slotAfter.Reason);
            // The replicas still streaming are not dragged down (once they replayed the write).
            LagReport? settled = null;
            await TestCluster.EventuallyAsync(async () =>
            {
                settled = await fixture.AssessAsync();
                return settled.Replicas.Single(r => r.Replica == "pg-3").Level == LagLevel.Ok;
            }, TimeSpan.FromSeconds(15), "pg-3 is ok while pg-2 is stopped");
            Assert.Equal(LagLevel.Critical, settled!.Replicas.Single(r => r.Replica == "pg-2").Level);
        }
        finally
        {
            await Cluster.StartNodeAsync("pg-2");
        }

        await fixture.WaitUntilOkAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_cascading_replicas_lag_is_measured_at_its_own_upstream_and_attributed_to_it()
    {
        await fixture.WaitUntilOkAsync(TimeSpan.FromSeconds(20));
        await Cluster.QueryAsync<string>("pg-4", "SELECT pg_wal_replay_pause()::text");
        try
        {
            await fixture.WriteAsync(2000);
            LagReport? report = null;
            await TestCluster.EventuallyAsync(async () =>
            {
                report = await fixture.AssessAsync();
                return report.Replicas.Single(r => r.Replica == "pg-4").BehindUpstream.Replay > 1 << 20
                       && report.Replicas.Single(r => r.Replica == "pg-3").Level == LagLevel.Ok;
            }, TimeSpan.FromSeconds(10), "pg-4 lags behind pg-3 while pg-3 is caught up");

            var pg4 = report!.Replicas.Single(r => r.Replica == "pg-4");
            Assert.Equal("pg-3", pg4.Upstream);
            Assert.True(pg4.Cascading);
            Assert.NotEqual(LagLevel.Ok, pg4.Level);
            Assert.True(pg4.ReplayBytesBehindPrimary >= pg4.BehindUpstream.Replay - (64 << 10), "behind the primary at least what it is behind pg-3");
            Assert.Contains("behind its upstream pg-3", pg4.Reason);

            // The rows come from the right upstream: pg-3 has a WAL sender for pg-4, the primary has none.
            await using var probe = new LagProbe(Cluster.Access);
            var observation = await probe.ObserveAsync(CancellationToken.None);
            Assert.Contains(observation.Node("pg-3").WalSenders, s => s.ApplicationName == "pg-4" && s.IsStreaming);
            Assert.DoesNotContain(observation.Node("pg-1").WalSenders, s => s.ApplicationName == "pg-4");
            Assert.Contains(observation.Node("pg-3").Slots, s => s.SlotName == "pg_4" && s.Active);
        }
        finally
        {
            await Cluster.QueryAsync<string>("pg-4", "SELECT pg_wal_replay_resume()::text");
        }

        await fixture.WaitUntilOkAsync(TimeSpan.FromSeconds(20));
    }
}

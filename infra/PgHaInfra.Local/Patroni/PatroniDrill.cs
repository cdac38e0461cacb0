using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Operations.Patroni;

namespace PgHaInfra.Local.Patroni;

public enum PatroniDrillKind
{
    /// <summary>A lost machine: the leader's supervisor, Patroni and PostgreSQL frozen, then SIGKILLed together.</summary>
    NodeLoss,

    /// <summary>Only the leader's Patroni is SIGKILLed; its PostgreSQL must be fenced before anyone else leads.</summary>
    ManagerLoss,

    /// <summary>Only the leader's Patroni is SIGSTOPped (alive but stuck); the lease guard must fence its PostgreSQL before anyone else leads.</summary>
    ManagerFreeze,
}

/// <summary>What a Patroni drill measured. Times are seconds from the kill.</summary>
/// <param name="Rto">Kill to the first acknowledged write through the multi-host write endpoint after the old leader stopped accepting writes.</param>
/// <param name="OldLastWrite">Kill to the old leader's last acknowledged write on a direct connection (the fence).</param>
/// <param name="SplitBrainWindow">How long two nodes both acknowledged writes; 0 when the old one stopped first.</param>
/// <param name="Chosen">Patroni's own log lines on the new leader about the election, from the kill on.</param>
/// <param name="Synchronous">Whether the stack runs Patroni's synchronous mode, where no acknowledged commit may be lost.</param>
/// <param name="Lost">Acknowledged commits of the write endpoint missing on the new leader (RPO in commits).</param>
/// <param name="OldLastLsn">The old leader's WAL position at its last acknowledged commit (its direct probe).</param>
/// <param name="SwitchLsn">Where the new leader's timeline began: the end of the old history it kept.</param>
/// <param name="LostBytes">WAL bytes of acknowledged history beyond the switch point (RPO in bytes), a lower bound: it starts at the direct probe's last commit, which the endpoint writer's last acknowledged commit can follow.</param>
public sealed record PatroniDrillReport(
    string Kind,
    string Stack,
    string OldLeader,
    string NewLeader,
    double Rto,
    double? OldLastWrite,
    double NewFirstWrite,
    double SplitBrainWindow,
    bool Synchronous,
    int Acknowledged,
    int Lost,
    string? OldLastLsn,
    string? SwitchLsn,
    long? LostBytes,
    ImmutableArray<string> Chosen,
    double? RejoinSeconds,
    bool Verified,
    string VerifySummary)
{
    /// <summary>No split brain, a verified cluster, and in synchronous mode no lost commit; an asynchronous stack's loss is its measured RPO.</summary>
    public bool Passed => (Lost == 0 || !Synchronous) && SplitBrainWindow <= 0 && Verified;
}

/// <summary>
/// Failover drills for the patroni mode: continuous writes through the write endpoint, one direct writer per node
/// to see any second writable node, the fault, then RTO, RPO, the split-brain window, whom Patroni chose (its log),
/// and the old leader's rejoin (pg_rewind by Patroni) followed by the post-deploy check.
/// </summary>
public static class PatroniDrill
{
    private const int SigStop = 19;
    private const int SigCont = 18;

    public static async Task<PatroniDrillReport> RunAsync(LocalCluster cluster, PatroniDrillKind kind, Func<CancellationToken, Task<(bool Passed, string Summary)>> verify,
        IEngineProgress progress, CancellationToken cancellationToken)
    {
        var spec = cluster.StackSpec;
        var layout = PatroniEngine.LayoutOf(cluster);
        using var client = new PatroniClient(spec, PatroniEngine.Host);
        var view = await PatroniEngine.WaitForMembersAsync(client, spec, cancellationToken).ConfigureAwait(false);
        var oldLeader = view.Leader!.Name;
        var credentials = await cluster.CredentialsAsync(cancellationToken).ConfigureAwait(false) ?? throw new LocalEngineException("no credentials: run up first");
        var endpoint = new NpgsqlConnectionStringBuilder(ClusterEndpoints.For(cluster.Spec, cluster.Addresses, credentials.Superuser).Write) { Password = credentials.SuperuserPassword }.ConnectionString;
        var direct = cluster.StackSpec.Nodes.ToDictionary(n => n.Name, n => NodeWriteProbes.DirectConnectionString(cluster.Addresses[n.Name], credentials));

        var run = $"{kind.ToString().ToLowerInvariant()}-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssfff}";
        await using var writer = new ContinuousWriter(endpoint, run, TimeSpan.FromMilliseconds(2));
        await writer.PrepareAsync(cancellationToken).ConfigureAwait(false);
        using var probesOwner = await NodeWriteProbes.StartAsync(direct, oldLeader, cancellationToken).ConfigureAwait(false);
        await using var probes = probesOwner;
        writer.Start();
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);

        var patroni = ProcFs.All().Single(p => p.CommandLine.Count >= 2 && p.CommandLine[^1] == layout.ConfigFile(oldLeader) && !p.IsZombie).Pid;
        var killedAt = probes.Clock.Elapsed;
        var killedAtWall = DateTimeOffset.UtcNow;
        if (kind == PatroniDrillKind.NodeLoss)
        {
            var supervisor = Daemon.Running(layout.PidFile(oldLeader), PatroniEngine.PghaProgramName);
            var group = PostmasterPidFile.Read(cluster.Layout.DataDirectory(oldLeader)) is { } pid && ProcFs.Read(pid.Pid) is { } postmaster ? postmaster.ProcessGroup : (int?)null;
            int[] targets = [.. new[] { supervisor, patroni, -group }.OfType<int>()];
            foreach (var target in targets)
            {
                ProcFs.Signal(target, SigStop);
            }

            foreach (var target in targets)
            {
                ProcFs.Signal(target, ProcFs.SigKill);
            }
        }
        else
        {
            ProcFs.Signal(patroni, kind == PatroniDrillKind.ManagerFreeze ? SigStop : ProcFs.SigKill);
        }

        progress.Report(new EngineStep(oldLeader, kind switch
        {
            PatroniDrillKind.NodeLoss => "SIGKILL supervisor, Patroni and PostgreSQL",
            PatroniDrillKind.ManagerFreeze => "SIGSTOP Patroni only (stuck, not dead)",
            _ => "SIGKILL Patroni only",
        }, TimeSpan.Zero));
        try
        {
            return await MeasureAsync().ConfigureAwait(false);
        }
        finally
        {
            // A frozen Patroni the lease guard has not killed yet must not outlive the drill.
            if (kind == PatroniDrillKind.ManagerFreeze)
            {
                ProcFs.Signal(patroni, SigCont);
            }
        }

        async Task<PatroniDrillReport> MeasureAsync()
        {
            // Patroni sets cluster_name to the scope on every node, so writes are told apart by node through the direct
            // probes: an endpoint write sent after the old leader's last direct acknowledgement landed elsewhere.
            string? newLeader = null;
            DateTimeOffset OldLastWall() => probes.LastOn(oldLeader) is { } l && l > killedAt ? killedAtWall + (l - killedAt) : killedAtWall;
            await PatroniEngine.PollAsync("another node to accept writes", async () =>
            {
                var oldLastNow = OldLastWall();
                newLeader = (await client.ClusterAsync(cancellationToken).ConfigureAwait(false))?.Leader?.Name;
                return newLeader is not null && newLeader != oldLeader && writer.Records.Any(r => r.Acknowledged && r.SentAt > oldLastNow);
            }, TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            await writer.StopAsync().ConfigureAwait(false);
            await probes.DisposeAsync().ConfigureAwait(false);

            var records = writer.Records;
            var oldLastWall = OldLastWall();
            var first = records.Where(r => r.Acknowledged && r.SentAt > oldLastWall).Min(r => r.DoneAt);
            var rto = (first - killedAtWall).TotalSeconds;
            var oldLast = probes.LastOn(oldLeader) is { } last && last > killedAt ? (last - killedAt).TotalSeconds : (double?)null;
            var newFirst = probes.FirstOnAfter(newLeader!, killedAt) is { } f ? (f - killedAt).TotalSeconds : rto;
            var window = Math.Max(0, (oldLast ?? 0) - newFirst);
            await using var leaderSource = NpgsqlDataSource.Create(direct[newLeader!]);
            var missing = await writer.MissingOnAsync(leaderSource, cancellationToken).ConfigureAwait(false);
            var oldLsn = probes.LastLsn.TryGetValue(oldLeader, out var lsn) ? lsn : null;
            var timelineSwitch = oldLsn is null ? null : await TimelineSwitch.MeasureAsync(leaderSource, oldLsn, cancellationToken).ConfigureAwait(false);
            progress.Report(new EngineStep(newLeader!, "first write on the new leader", TimeSpan.FromSeconds(rto)));
            var chosen = ElectionLines(layout.LogFile(newLeader!), killedAtWall);

            if (kind == PatroniDrillKind.NodeLoss)
            {
                // The machine comes back: `up` starts its supervisor again.
                await PatroniEngine.UpAsync(cluster, allowRestart: false, progress, cancellationToken).ConfigureAwait(false);
            }

            var rejoinClock = Stopwatch.StartNew();
            double? rejoin = null;
            try
            {
                await PatroniEngine.PollAsync($"{oldLeader} to rejoin as a replica", async () =>
                    (await client.ClusterAsync(cancellationToken).ConfigureAwait(false))?.Member(oldLeader) is { IsLeader: false, State: "running", Lag: not null },
                    TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
                rejoin = (DateTimeOffset.UtcNow - killedAtWall).TotalSeconds;
                progress.Report(new EngineStep(oldLeader, "rejoined as a replica (Patroni, pg_rewind)", rejoinClock.Elapsed));
            }
            catch (LocalEngineException)
            {
                // Reported as not rejoined; the check below fails too.
            }

            await cluster.RecordPrimaryAsync(newLeader!, $"{kind} drill: Patroni elected {newLeader}", cancellationToken).ConfigureAwait(false);
            var (passed, summary) = await verify(cancellationToken).ConfigureAwait(false);
            return new PatroniDrillReport(KindName(kind), spec.Stack, oldLeader, newLeader!, rto, oldLast, newFirst, window,
                spec.Failover.Patroni!.SynchronousMode, records.Count(r => r.Acknowledged), missing.Length, oldLsn, timelineSwitch?.SwitchLsn, timelineSwitch?.LostBytes,
                chosen, rejoin, passed, summary);
    
        }
    }

    public static string KindName(PatroniDrillKind kind) => kind switch
    {
        PatroniDrillKind.NodeLoss => "node-loss",
        PatroniDrillKind.ManagerFreeze => "manager-freeze",
        _ => "manager-loss",
    };

    /// <summary>Patroni's lines about the race and the promotion on the new leader, from the kill on.</summary>
    private static ImmutableArray<string> ElectionLines(string logFile, DateTimeOffset since)
    {
        string[] markers = ["Got response from", "promoted self to leader", "acquired session lock", "Lock owner", "failover", "Cleaning up failover key", "is the healthiest", "not healthy enough"];
        try
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var lines = new List<string>();
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 23 && DateTimeOffset.TryParseExact(line[..23], "yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    && at >= since.AddMilliseconds(-5) && markers.Any(m => line.Contains(m, StringComparison.Ordinal)))
                {
                    lines.Add(line);
                }
            }

            return [.. lines.Take(12)];
        }
        catch (IOException)
        {
            return [];
        }
    }
}

using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using PgHaInfra.Operations.Backup;
using PgHaInfra.Operations.Drills.Restore;
using PgHaInfra.Spec;

namespace PgHaInfra.Local.Backup;

/// <summary>
/// `pgha drill --kind restore`: timestamped rows, a backup, more rows, a target time noted between two commits, rows
/// after it, then a point-in-time restore into a one-node scratch cluster, which must hold exactly the rows committed
/// before the target. The scratch cluster is removed afterwards unless kept.
/// </summary>
public static class RestoreDrill
{
    private const string Table = "pgha_restore_drill";

    /// <summary>The scratch cluster: one node, its own name, state and a free port, no backups of its own.</summary>
    public static ClusterSpec ScratchSpec(ClusterSpec source, int port) => source with
    {
        Stack = source.Stack + "-restore-drill",
        Name = source.Name + "-restore-drill",
        Source = $"(scratch cluster of the restore drill on {source.Stack})",
        Topology = Topology.Single,
        Nodes = [new NodeSpec("pg-1", port)],
        Primary = "pg-1",
        Synchronous = null,
        Backup = null,
    };

    /// <summary>A free loopback port above the source's, probed by binding.</summary>
    public static int FreePortAbove(ClusterSpec spec)
    {
        for (var port = spec.Nodes.Max(n => n.Port) + 10; port < 65535; port++)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try the next.
            }
        }

        throw new LocalEngineException("no free port for the restore drill's scratch cluster");
    }

    public static async Task<RestoreDrillReport> RunAsync(LocalCluster source, LocalCluster scratch, IEngineProgress progress, bool keepScratch, CancellationToken cancellationToken)
    {
        var spec = source.Spec;
        _ = spec.Backup ?? throw new LocalEngineException($"stack {spec.Stack} sets no backup keys: a restore drill needs backups");
        var access = await source.RequireAccessAsync(cancellationToken).ConfigureAwait(false);
        var primary = access.DataSource(spec.Primary);
        var started = DateTimeOffset.UtcNow;
        var steps = ImmutableArray.CreateBuilder<DrillSpan>();
        var rows = ImmutableArray.CreateBuilder<DrillRow>();
        var run = $"drill-{started:yyyyMMddTHHmmssfff}";

        async Task StepAsync(string step, Func<Task<string>> work)
        {
            progress.Report(new EngineStep(spec.Primary, step, null));
            var at = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var detail = await work().ConfigureAwait(false);
            steps.Add(new DrillSpan(step, at, at + clock.Elapsed, detail));
            progress.Report(new EngineStep(spec.Primary, step, clock.Elapsed, detail));
        }

        async Task WriteAsync(string phase, int count)
        {
            for (var i = 0; i < count; i++)
            {
                // One commit per row, acknowledged before the next: the order of acknowledgements is the order of commits.
                await using var insert = primary.CreateCommand($"insert into {Table} (run, phase) values ($1, $2) returning id");
                insert.Parameters.AddWithValue(run);
                insert.Parameters.AddWithValue(phase);
                var id = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                rows.Add(new DrillRow(id, phase, DateTimeOffset.UtcNow));
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var create = primary.CreateCommand($"create table if not exists {Table} (id bigserial primary key, run text not null, phase text not null, written_at timestamptz not null default clock_timestamp())"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await WriteAsync("before backup", 50);
        var label = "";
        await StepAsync("backup", async () =>
        {
            var backup = await LocalBackup.BackupAsync(source, BackupType.Full, SilentProgress.Instance, cancellationToken).ConfigureAwait(false);
            label = backup.Backup.Label;
            return $"{backup.Backup.Label} from {backup.Source}";
        }).ConfigureAwait(false);

        // pgBackRest keeps a backup's stop time in whole seconds and restores a time only from a backup that stopped before it.
        await Task.Delay(1100, cancellationToken).ConfigureAwait(false);
        await WriteAsync("after backup", 50);
        DateTimeOffset target;
        await using (var now = primary.CreateCommand("select clock_timestamp()"))
        {
            target = new DateTimeOffset((DateTime)(await now.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!, TimeSpan.Zero);
        }

        await WriteAsync("after target", 50);
        await StepAsync("archive", async () => $"segment {await ArchiveWait.SwitchAndWaitAsync(primary, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false)} archived").ConfigureAwait(false);

        RestoreResult? result = null;
        try
        {
            var restoreClock = DateTimeOffset.UtcNow;
            result = await LocalRestore.IntoNewClusterAsync(source, scratch, new RestoreTarget(RestoreTargetKind.Time, Time: target), SilentProgress.Instance, cancellationToken).ConfigureAwait(false);
            steps.Add(new DrillSpan("restore copy", restoreClock, restoreClock + result.CopyElapsed, $"pgBackRest restore of {label} into {scratch.Spec.Stack}"));
            steps.Add(new DrillSpan("recover and promote", restoreClock + result.CopyElapsed, restoreClock + result.CopyElapsed + result.RecoveryElapsed, $"to {target:HH:mm:ss.ffffff}, timeline {result.Timeline}"));
            progress.Report(new EngineStep(scratch.Spec.Primary, "restore", result.Elapsed, $"into {scratch.Spec.Stack}, timeline {result.Timeline}"));

            var restored = ImmutableArray.CreateBuilder<long>();
            var scratchAccess = await scratch.RequireAccessAsync(cancellationToken).ConfigureAwait(false);
            await using var select = scratchAccess.DataSource(scratch.Spec.Primary).CreateCommand($"select id from {Table} where run = $1 order by id");
            select.Parameters.AddWithValue(run);
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    restored.Add(reader.GetInt64(0));
                }
            }

            return new RestoreDrillReport(spec.Stack, scratch.Spec.Stack, label, started, DateTimeOffset.UtcNow, target, rows.ToImmutable(), restored.ToImmutable(), steps.ToImmutable(), result.Timeline);
        }
        finally
        {
            if (!keepScratch)
            {
                using var teardown = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await LocalEngine.DownAsync(scratch, keepData: false, SilentProgress.Instance, teardown.Token).ConfigureAwait(false);
            }
        }
    }
}

using System.Diagnostics;
using Npgsql;
using PgHaInfra.Operations.Backup;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Local.Backup;

/// <summary>What a restore did: the node it made, how long pgBackRest's copy and PostgreSQL's recovery took, and where recovery ended.</summary>
public sealed record RestoreResult(string Stack, string Node, RestoreTarget Target, TimeSpan CopyElapsed, TimeSpan RecoveryElapsed, TimeSpan Elapsed, int Timeline, string EndLsn);

/// <summary>
/// `pgha restore`: a point-in-time restore of a stack's backups. Into a new cluster (NEWSTACK's own stack file, its
/// own name, ports and state): pgBackRest restores NEWSTACK's primary, it recovers to the target and promotes, then
/// `up` makes its replicas. In place only when asked, and never while a node of the cluster runs.
/// </summary>
public static class LocalRestore
{
    public static readonly TimeSpan RecoveryDeadline = TimeSpan.FromMinutes(10);

    private const string AutoConf = "postgresql.auto.conf";

    /// <summary>Restores <paramref name="source"/>'s repository into <paramref name="target"/>'s primary, recovered and promoted, ready for `up`.</summary>
    public static async Task<RestoreResult> IntoNewClusterAsync(LocalCluster source, LocalCluster target, RestoreTarget to, IEngineProgress progress, CancellationToken cancellationToken)
    {
        var problems = NewClusterProblems(source, target);
        if (problems.Count > 0)
        {
            throw new LocalEngineException($"restore of stack {source.Spec.Stack} into {target.Spec.Stack} refused:\n  " + string.Join("\n  ", problems));
        }

        // The restored cluster keeps the source's roles and passwords: the new stack's secrets are the source's.
        PrepareDirectories(target);
        foreach (var (from, into) in new[] { (source.Layout.SuperuserPasswordFile, target.Layout.SuperuserPasswordFile), (source.Layout.ReplicationPasswordFile, target.Layout.ReplicationPasswordFile) })
        {
            await target.User.WriteFileAsync(into, await File.ReadAllTextAsync(from, cancellationToken).ConfigureAwait(false), UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
        }

        await LocalSecrets.EnsureAsync(target.Spec, target.Layout, target.User, cancellationToken).ConfigureAwait(false);
        await StanzaSetup.InstallAsync(target, cancellationToken).ConfigureAwait(false);
        return await RestorePrimaryAsync(source, target, to, delta: false, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>In place: the cluster is stopped; the primary is restored with --delta, the replicas removed so `up` copies them anew.</summary>
    public static async Task<RestoreResult> InPlaceAsync(LocalCluster cluster, RestoreTarget to, IEngineProgress progress, CancellationToken cancellationToken)
    {
        _ = cluster.Spec.Backup ?? throw new LocalEngineException($"stack {cluster.Spec.Stack} sets no backup keys: there is nothing to restore from");
        var running = cluster.Spec.Nodes.Where(n => PostmasterPidFile.IsRunning(cluster.Layout.DataDirectory(n.Name))).Select(n => n.Name).ToList();
        if (running.Count > 0)
        {
            throw new LocalEngineException(
                $"in-place restore of stack {cluster.Spec.Stack} refused: {string.Join(", ", running)} still run{(running.Count == 1 ? "s" : "")}; " +
                $"an in-place restore overwrites the primary's data, so stop the cluster first (`pgha down --stack {cluster.Spec.Stack} --keep-data`)");
        }

        foreach (var replica in cluster.Spec.Replicas)
        {
            // Their data is on the abandoned history now; `up` makes them again from the restored primary.
            var dir = cluster.Layout.DataDirectory(replica.Name);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            await cluster.Store.UpdateAsync(cluster.Spec.Stack, cluster.Spec.Name, s => s.WithoutNode(replica.Name), cancellationToken).ConfigureAwait(false);
        }

        return await RestorePrimaryAsync(cluster, cluster, to, delta: true, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Why a restore into <paramref name="target"/> cannot go ahead; empty when it can.</summary>
    public static List<string> NewClusterProblems(LocalCluster source, LocalCluster target)
    {
        var problems = new List<string>();
        var (from, into) = (source.Spec, target.Spec);
        if (from.Backup is null)
        {
            problems.Add($"stack {from.Stack} sets no backup keys: there is nothing to restore from");
        }

        if (into.Name == from.Name)
        {
            problems.Add($"stack {into.Stack} names the same cluster ({into.Name}) as {from.Stack}: its stanza would mix with the source's; give it another cluster name");
        }

        var clashes = into.Nodes.Select(n => n.Port).Intersect(from.Nodes.Select(n => n.Port)).ToList();
        if (clashes.Count > 0)
        {
            problems.Add($"stack {into.Stack} uses port(s) {string.Join(", ", clashes)} of stack {from.Stack}; give the new cluster its own ports");
        }

        if (into.Replication.Superuser != from.Replication.Superuser || into.Replication.User != from.Replication.User)
        {
            problems.Add($"stack {into.Stack}'s roles ({into.Replication.Superuser}, {into.Replication.User}) differ from {from.Stack}'s ({from.Replication.Superuser}, {from.Replication.User}); a restore keeps the source's roles");
        }

        if (Path.GetFullPath(target.Layout.Root) == Path.GetFullPath(source.Layout.Root))
        {
            problems.Add($"both stacks use the state directory {target.Layout.Root}");
        }
        else if (Directory.Exists(target.Layout.DataRoot) && Directory.EnumerateFileSystemEntries(target.Layout.DataRoot).Any())
        {
            problems.Add($"stack {into.Stack} already has a cluster in {target.Layout.Root}; remove it first (`pgha down --stack {into.Stack}`)");
        }

        if (!File.Exists(source.Layout.SuperuserPasswordFile))
        {
            problems.Add($"stack {from.Stack} has no secrets in {source.Layout.SecretsDirectory}: the restored cluster keeps its passwords, so they must be there");
        }

        return problems;
    }

    private static async Task<RestoreResult> RestorePrimaryAsync(LocalCluster source, LocalCluster target, RestoreTarget to, bool delta, IEngineProgress progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var spec = target.Spec;
        var primary = spec.PrimaryNode;
        var dataDirectory = target.Layout.DataDirectory(primary.Name);
        target.User.CreateDirectory(dataDirectory);

        progress.Report(new EngineStep(primary.Name, "restore (pgBackRest)", null, $"from stanza {source.Spec.Stanza} to {to}"));
        await source.User.WriteFileAsync(source.Placement.Backup!.Runner.ConfigFile, PgBackRestConf.ForBackup(source.Spec, source.Placement, null),
            UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
        try
        {
            await PgBackRest.For(source).RunAsync(PgBackRest.RunnerConfig(source.Placement), "restore",
            [
                $"--pg1-path={dataDirectory}",
                .. to.PgBackRestOptions(),
                delta ? "--delta" : "--no-delta",
                "--log-level-console=warn",
            ], cancellationToken).ConfigureAwait(false);
        }
        catch (LocalEngineException e) when (e.Message.Contains("[075]", StringComparison.Ordinal))
        {
            throw new LocalEngineException($"{e.Message} (a time target needs a backup that stopped before it; `pgha backups --stack {source.Spec.Stack}` lists their stop times, in whole seconds)", e);
        }
        var copied = clock.Elapsed;
        progress.Report(new EngineStep(primary.Name, "restore (pgBackRest)", copied, $"from stanza {source.Spec.Stanza} to {to}"));

        // The copy carries the source primary's files (its port, its archive_command); this node gets its own.
        File.Delete(Path.Combine(dataDirectory, NodeFiles.StandbySignal));
        await ConfigInstaller.InstallRenderedAsync(target, spec, primary, cancellationToken).ConfigureAwait(false);
        // A hot standby refuses to recover WAL written with larger capacities (max_wal_senders, max_connections...)
        // than its own, and the new stack may well have fewer replicas. Without hot standby that check does not apply;
        // a restart after promotion then returns to the rendered settings alone.
        var smaller = SmallerCapacities(source.Spec, spec);
        if (smaller)
        {
            await File.AppendAllTextAsync(Path.Combine(dataDirectory, AutoConf),
                "hot_standby = off  # pgha restore: recovery only; the source's capacities exceed this stack's\n", cancellationToken).ConfigureAwait(false);
        }

        var binaries = await target.BinariesAsync(cancellationToken).ConfigureAwait(false);
        var recoveryClock = Stopwatch.StartNew();
        await StartStop.StartAsync(binaries, target.Runner, dataDirectory, target.Layout.LogFile(primary.Name), RecoveryDeadline, cancellationToken).ConfigureAwait(false);
        progress.Report(new EngineStep(primary.Name, "start (consistent, read-only)", recoveryClock.Elapsed, "replaying the archive"));
        var access = await target.RequireAccessAsync(cancellationToken).ConfigureAwait(false);
        access.DataSource(primary.Name).Clear();
        await WaitForPromotionAsync(access.DataSource(primary.Name), target.Layout.LogFile(primary.Name), dataDirectory, cancellationToken).ConfigureAwait(false);
        if (smaller)
        {
            await StartStop.StopAsync(binaries, target.Runner, dataDirectory, StopPolicy.Graceful, cancellationToken).ConfigureAwait(false);
            access.DataSource(primary.Name).Clear();
            await StartStop.StartAsync(binaries, target.Runner, dataDirectory, target.Layout.LogFile(primary.Name), LocalEngine.StartDeadline, cancellationToken).ConfigureAwait(false);
        }
        var (timeline, endLsn) = await PositionAsync(access.DataSource(primary.Name), cancellationToken).ConfigureAwait(false);
        var recovered = recoveryClock.Elapsed;
        progress.Report(new EngineStep(primary.Name, "recover and promote", recovered, $"timeline {timeline}, ended at {endLsn}"));

        await target.Store.UpdateAsync(spec.Stack, spec.Name, s => s
            .WithNode(new NodeRecord(primary.Name, primary.Port, "primary", null, DateTimeOffset.UtcNow))
            .WithPrimary(primary.Name, $"restored by pgha restore from stack {source.Spec.Stack} to {to}"), cancellationToken).ConfigureAwait(false);
        await target.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return new RestoreResult(spec.Stack, primary.Name, to, copied, recovered, clock.Elapsed, timeline, endLsn);
    }

    /// <summary>
    /// Waits until recovery reached the target and the server promoted; then clears postgresql.auto.conf, where
    /// pgBackRest put the restore's recovery settings, so replicas copied from this node do not inherit them.
    /// </summary>
    private static async Task WaitForPromotionAsync(NpgsqlDataSource source, string logFile, string dataDirectory, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!PostmasterPidFile.IsRunning(dataDirectory))
            {
                throw new LocalEngineException($"the restored server stopped during recovery (a target past the end of the archive ends it so). Log ({logFile}):\n{Tail(logFile)}");
            }

            try
            {
                await using var command = source.CreateCommand("select pg_is_in_recovery()");
                if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is false)
                {
                    break;
                }
            }
            catch (NpgsqlException)
            {
                // Not consistent yet: hot standby admits connections only once it is.
            }

            if (clock.Elapsed > RecoveryDeadline)
            {
                throw new LocalEngineException($"the restored server did not promote within {RecoveryDeadline.TotalMinutes:0} min. Log ({logFile}):\n{Tail(logFile)}");
            }

            // The same 10 ms as StartStop's polling: promotion is the end of the restore's critical path.
            await Task.Delay(StartStop.PollInterval, cancellationToken).ConfigureAwait(false);
        }

        await using var reset = source.CreateCommand("alter system reset all");
        await reset.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using var reload = source.CreateCommand("select pg_reload_conf()");
        await reload.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The settings a hot standby must have at least as large as the server that wrote the WAL.</summary>
    private static readonly string[] HotStandbyCapacities = ["max_connections", "max_worker_processes", "max_prepared_transactions", "max_locks_per_transaction"];

    /// <summary>True when the restored stack's capacities are below the source's, so hot standby would refuse the source's WAL.</summary>
    public static bool SmallerCapacities(ClusterSpec source, ClusterSpec target) =>
        ReplicationCapacity.WalSenders(target) < ReplicationCapacity.WalSenders(source)
        || ReplicationCapacity.ReplicationSlots(target) < ReplicationCapacity.ReplicationSlots(source)
        || HotStandbyCapacities.Any(p => source.Parameters.GetValueOrDefault(p) != target.Parameters.GetValueOrDefault(p));

    private static async Task<(int Timeline, string EndLsn)> PositionAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await using var info = source.CreateCommand("select 0, ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int, pg_current_wal_lsn()::text");
        await using var reader = await info.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt32(1), reader.GetString(2));
    }

    private static string Tail(string logFile) =>
        File.Exists(logFile) ? string.Join("\n", File.ReadLines(logFile).TakeLast(15)) : "(no log)";

    private static void PrepareDirectories(LocalCluster cluster)
    {
        cluster.EnsureRoot();
        foreach (var dir in new[] { cluster.Layout.DataRoot, cluster.Layout.SocketDirectory, cluster.Layout.LogDirectory, cluster.Layout.SecretsDirectory })
        {
            cluster.User.CreateDirectory(dir);
        }
    }
}

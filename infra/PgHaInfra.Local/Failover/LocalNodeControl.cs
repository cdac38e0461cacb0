using System.Diagnostics;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Local.Failover;

/// <summary>
/// The local engine's side of switchover, failover, rejoin and drills: pg_ctl stops and starts, pg_controldata, the
/// fence marker, rendered files into data directories, the engine state's primary, pg_rewind, and SIGKILL for drills.
/// </summary>
public sealed class LocalNodeControl(LocalCluster cluster, PostgresBinaries binaries) : INodeControl, INodeFaults
{
    /// <summary>Consent (--allow-reclone) to replace a node that pg_rewind cannot rewind by a fresh base backup.</summary>
    public bool AllowReclone { get; init; }

    public async Task<Lsn?> StopCleanlyAsync(NodeSpec node, CancellationToken cancellationToken)
    {
        var dataDirectory = cluster.Layout.DataDirectory(node.Name);
        await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopPolicy.Clean, cancellationToken).ConfigureAwait(false);
        var control = await ControlData.ReadAsync(binaries, cluster.Runner, dataDirectory, cancellationToken).ConfigureAwait(false);
        if (!control.ShutDownCleanly)
        {
            throw new FailoverException("fence", $"{node.Name} did not shut down cleanly (pg_controldata: {control.ClusterState}); its final LSN is unknown");
        }

        return control.LatestCheckpoint;
    }

    public async Task<string> FenceAsync(NodeSpec node, CancellationToken cancellationToken)
    {
        var dataDirectory = cluster.Layout.DataDirectory(node.Name);
        var running = PostmasterPidFile.IsRunning(dataDirectory);
        if (running)
        {
            await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopPolicy.Immediate, cancellationToken).ConfigureAwait(false);
        }

        if (!Directory.Exists(dataDirectory))
        {
            return $"{node.Name} has no data directory, so nothing can start it";
        }

        await Fence.MarkAsync(dataDirectory, cluster.User, $"fenced by pgha: {node.Name} is no longer the primary", cancellationToken).ConfigureAwait(false);
        return (running ? $"{node.Name} was still running and was stopped immediately; " : $"{node.Name} is not running; ")
            + $"fenced with standby.signal and {Fence.MarkerFile}, so a start brings it up read-only";
    }

    public async Task StartAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken)
    {
        var dataDirectory = cluster.Layout.DataDirectory(node.Name);
        await InstallConfigurationAsync(spec, node, cancellationToken).ConfigureAwait(false);
        // The marker goes first: a node marked fenced always has standby.signal.
        Fence.Lift(dataDirectory);
        if (spec.IsPrimary(node))
        {
            ServerUser.DeleteDurably(Path.Combine(dataDirectory, NodeFiles.StandbySignal));
        }

        await StartStop.StartAsync(binaries, cluster.Runner, dataDirectory, cluster.Layout.LogFile(node.Name), LocalEngine.StartDeadline, cancellationToken).ConfigureAwait(false);
    }

    public async Task InstallConfigurationAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken)
    {
        var placement = LocalPlacement.Of(spec, cluster.Layout);
        var files = NodeFiles.Render(spec, placement, node, BootstrapSql.VerifierPlaceholder);
        await ConfigInstaller.InstallAsync(cluster.Layout.DataDirectory(node.Name), files, cluster.User, cancellationToken).ConfigureAwait(false);
    }

    public Task RecordPrimaryAsync(ClusterSpec spec, string reason, CancellationToken cancellationToken) =>
        cluster.RecordPrimaryAsync(spec.Primary, reason, cancellationToken);

    public Task<RejoinOutcome> RejoinAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken) =>
        Rewind.RejoinAsync(cluster, binaries, spec, node, AllowReclone, cancellationToken);

    public async Task<string> CrashAsync(NodeSpec node, CancellationToken cancellationToken)
    {
        var dataDirectory = cluster.Layout.DataDirectory(node.Name);
        if (PostmasterPidFile.Read(dataDirectory) is not { ProcessAlive: true } pid)
        {
            return $"{node.Name} was not running";
        }

        Libc.Kill(pid.Pid, Libc.SigKill);
        var clock = Stopwatch.StartNew();
        while (Alive(pid.Pid) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(StartStop.PollInterval, cancellationToken).ConfigureAwait(false);
        }

        return $"SIGKILL to {node.Name}'s postmaster (pid {pid.Pid}): no shutdown checkpoint, as when a machine is lost";
    }

    /// <summary>A killed process stays a zombie until its parent reaps it; a zombie is dead for our purposes.</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0] != "Z";
        }
        catch (IOException)
        {
            return false;
        }
    }
}

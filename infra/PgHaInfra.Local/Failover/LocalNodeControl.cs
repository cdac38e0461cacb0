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
/// An engine failure (<see cref="LocalEngineException"/>) leaves it as the <see cref="FailoverException"/> of its step,
/// so the promotion runner reports it (and rolls back) like any other failed step.
/// </summary>
public sealed class LocalNodeControl(LocalCluster cluster, PostgresBinaries binaries) : INodeControl, INodeFaults
{
    /// <summary>Consent (--allow-reclone) to replace a node that pg_rewind cannot rewind by a fresh base backup.</summary>
    public bool AllowReclone { get; init; }

    public Task<Lsn?> StopCleanlyAsync(NodeSpec node, CancellationToken cancellationToken) =>
        AsStepAsync("fence", () => StopAndReadFinalLsnAsync(node, cancellationToken));

    private async Task<Lsn?> StopAndReadFinalLsnAsync(NodeSpec node, CancellationToken cancellationToken)
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

    public Task<string> FenceAsync(NodeSpec node, CancellationToken cancellationToken) =>
        AsStepAsync("fence", () => StopAndMarkAsync(node, cancellationToken));

    private async Task<string> StopAndMarkAsync(NodeSpec node, CancellationToken cancellationToken)
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

    public Task StartAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken) =>
        AsStepAsync("start", async () =>
        {
            await UnfenceAndStartAsync(spec, node, cancellationToken).ConfigureAwait(false);
            return true;
        });

    private async Task UnfenceAndStartAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken)
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

    public Task InstallConfigurationAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken) =>
        AsStepAsync("install configuration", async () =>
        {
            await ConfigInstaller.InstallRenderedAsync(cluster, spec, node, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task RecordPrimaryAsync(ClusterSpec spec, string reason, CancellationToken cancellationToken) =>
        AsStepAsync("record primary", async () =>
        {
            await cluster.RecordPrimaryAsync(spec.Primary, reason, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task<RejoinOutcome> RejoinAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken) =>
        AsStepAsync("rejoin", () => Rewind.RejoinAsync(cluster, binaries, spec, node, AllowReclone, cancellationToken));

    /// <summary>Runs one engine step; its engine failure becomes the step's <see cref="FailoverException"/>, its message kept.</summary>
    private static async Task<T> AsStepAsync<T>(string step, Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception e) when (e is LocalEngineException or EngineStateUnreadableException)
        {
            throw new FailoverException(step, e.Message, e);
        }
    }

    public async Task<string> CrashAsync(NodeSpec node, CancellationToken cancellationToken)
    {
        var dataDirectory = cluster.Layout.DataDirectory(node.Name);
        if (PostmasterPidFile.Read(dataDirectory) is not { ProcessAlive: true } pid)
        {
            return $"{node.Name} was not running";
        }

        Libc.Kill(pid.Pid, Libc.SigKill);
        var clock = Stopwatch.StartNew();
        while (pid.ProcessAlive && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(StartStop.PollInterval, cancellationToken).ConfigureAwait(false);
        }

        return $"SIGKILL to {node.Name}'s postmaster (pid {pid.Pid}): no shutdown checkpoint, as when a machine is lost";
    }
}

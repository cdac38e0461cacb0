using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace PgHaInfra.Local.Patroni;

/// <summary>What one node's supervisor runs: its Patroni, on its configuration, with its secrets in the environment.</summary>
/// <param name="RestartAfter">How long after a fence Patroni is started again: at least the leader lease, so the others elect on facts.</param>
/// <param name="EtcdEndpoints">The etcd members' client URLs, where the <see cref="LeaseGuard"/> reads <paramref name="LeaderKey"/>.</param>
public sealed record SupervisorOptions(
    string Node,
    string ConfigFile,
    string DataDirectory,
    string SuperuserPasswordFile,
    string ReplicationPasswordFile,
    TimeSpan RestartAfter,
    string Home,
    IReadOnlyList<Uri> EtcdEndpoints,
    string LeaderKey);

/// <summary>
/// pgha's node supervisor, the parent of one Patroni (CloudNativePG's instance manager is the model: the manager is
/// PostgreSQL's parent, so the node never outlives it). When Patroni exits for any reason, the supervisor kills
/// that node's PostgreSQL at once (<see cref="PostgresFence"/>), milliseconds after the death and long before
/// Patroni's leader key (ttl seconds) can expire and another node be promoted: there is no instant with two
/// writable primaries. It then starts Patroni again after <see cref="SupervisorOptions.RestartAfter"/>, as
/// systemd's Restart= would, and the node rejoins as a replica (pg_rewind). A Patroni that is alive but stuck is
/// caught by the <see cref="LeaseGuard"/>: when this node's leader lease is about to end unrenewed while its
/// PostgreSQL still runs as a primary, PostgreSQL is fenced and Patroni killed, and the same restart follows.
/// SIGTERM stops Patroni cleanly (which stops PostgreSQL) and fences whatever is left.
/// </summary>
public sealed class NodeSupervisor(SupervisorOptions options, ServerUser user, TextWriter log) : IDisposable
{
    public const string PatroniProgram = "patroni";

    private readonly CancellationTokenSource stopping = new();
    private Process? patroni;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStop);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);
        Log($"supervisor pid {Environment.ProcessId} for {options.Node}: Patroni is its child; PostgreSQL is killed the moment Patroni exits");
        while (!linked.IsCancellationRequested)
        {
            var started = StartPatroni();
            if (started is null)
            {
                return 1;
            }

            await WatchAsync(started, linked.Token).ConfigureAwait(false);
            var fence = PostgresFence.Kill(options.DataDirectory, $"Patroni (pid {started.Id}) exited with {started.ExitCode}");
            Log(fence.Reason);
            started.Dispose();
            if (linked.IsCancellationRequested)
            {
                break;
            }

            Log($"restarting Patroni in {options.RestartAfter.TotalSeconds:0.#} s: after its leader key has expired, so the other members elect a leader on what they have");
            try
            {
                await Task.Delay(options.RestartAfter, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Log($"supervisor for {options.Node} stopped");
        return 0;
    }

    /// <summary>Waits for Patroni to exit; meanwhile the lease guard fences a stuck one and kills it, which ends the wait too.</summary>
    private async Task WatchAsync(Process started, CancellationToken stoppingToken)
    {
        using var exited = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var etcd = new EtcdLeaderLease(options.EtcdEndpoints, options.LeaderKey);
        var guard = new LeaseGuard(options.Node, options.DataDirectory, etcd, Log).RunAsync(exited.Token);
        var exit = started.WaitForExitAsync(CancellationToken.None);
        if (await Task.WhenAny(exit, guard).ConfigureAwait(false) == guard && await guard.ConfigureAwait(false) is { } fenced)
        {
            Log(fenced);
            Log($"killing the stuck Patroni (pid {started.Id}): a Patroni that cannot renew its lease in time is treated as dead");
            ProcFs.Signal(started.Id, ProcFs.SigKill);
        }

        await exit.ConfigureAwait(false);
        await exited.CancelAsync().ConfigureAwait(false);
        await guard.ConfigureAwait(false);
    }

    private void OnStop(PosixSignalContext context)
    {
        context.Cancel = true;
        Log($"supervisor for {options.Node}: {context.Signal} received, stopping Patroni (it stops PostgreSQL)");
        stopping.Cancel();
        if (patroni is { } running)
        {
            try
            {
                ProcFs.Signal(running.Id, ProcFs.SigTerm);
            }
            catch (InvalidOperationException)
            {
                // Already gone: the loop fences and exits.
            }

            // Patroni's own shutdown is bounded; a hung one is killed, and the fence follows its exit.
            _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(_ => ProcFs.Signal(running.Id, ProcFs.SigKill), TaskScheduler.Default);
        }
    }

    private Process? StartPatroni()
    {
        var info = new ProcessStartInfo(PatroniProgram)
        {
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        info.ArgumentList.Add(options.ConfigFile);
        info.Environment.Clear();
        foreach (var (key, value) in Daemon.BaseEnvironment(options.Home))
        {
            info.Environment[key] = value;
        }

        // The only way the passwords reach Patroni; Patroni removes PATRONI_* before it starts PostgreSQL.
        info.Environment["PATRONI_SUPERUSER_PASSWORD"] = File.ReadAllText(options.SuperuserPasswordFile).Trim();
        info.Environment["PATRONI_REPLICATION_PASSWORD"] = File.ReadAllText(options.ReplicationPasswordFile).Trim();
        if (user.UserName is { } name)
        {
            info.UserName = name;
        }

        try
        {
            var process = Process.Start(info)!;
            patroni = process;
            Log($"started Patroni pid {process.Id.ToString(CultureInfo.InvariantCulture)} on {options.ConfigFile}");
            return process;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Log($"could not start {PatroniProgram}: {e.Message} (Debian: apt-get install patroni)");
            return null;
        }
    }

    public void Dispose() => stopping.Dispose();

    private void Log(string line)
    {
        lock (log)
        {
            log.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss,fff} PGHA: {line}");
            log.Flush();
        }
    }
}

using System.Diagnostics;

namespace PgHaInfra.Local.Patroni;

/// <summary>
/// The supervisor's watch over a Patroni that is alive but stuck (SIGSTOP, a hung loop, a starved process): such a
/// Patroni neither exits (so the exit fence never fires) nor demotes its PostgreSQL, and without a watchdog the node
/// stays writable after its lease expires and another member is promoted (POSTGRES-NOTES 14). Independently of
/// Patroni's loop, the guard reads the leader key from etcd a few times a second; once this node held the lease and
/// the lease's <see cref="LeaseDeadline"/> passes without a renewal seen, a PostgreSQL that still runs as a primary
/// is killed before the lease can end, and Patroni with it (it is restarted by the supervisor like a dead one).
/// This is what Patroni's watchdog does with a kernel device, done from user space where no device exists.
/// </summary>
public sealed class LeaseGuard(string node, string dataDirectory, EtcdLeaderLease etcd, Action<string> log)
{
    /// <summary>
    /// Time for the fence itself and a late tick on a loaded machine; etcd's rounding down leaves up to a second more.
    /// The price: a Patroni whose loop stalls for ttl - 1.5 s is fenced even if it would have renewed in the last moment.
    /// </summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan ReadEvery = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan TickEvery = TimeSpan.FromMilliseconds(20);

    /// <summary>Runs until cancelled or until it fenced; returns the fence's sentence, or null when cancelled.</summary>
    public async Task<string?> RunAsync(CancellationToken cancellationToken)
    {
        var deadline = new LeaseDeadline(node, Margin);
        var clock = Stopwatch.StartNew();
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reads = ReadLoopAsync(deadline, clock, stopReading.Token);
        try
        {
            using var ticks = new PeriodicTimer(TickEvery);
            while (await ticks.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                TimeSpan? expiredAt;
                lock (deadline)
                {
                    expiredAt = deadline.Expired(clock.Elapsed) ? deadline.Deadline : null;
                    if (expiredAt is not null && !PostgresFence.RunsAsPrimary(dataDirectory))
                    {
                        // Patroni demoted or stopped it in time, as it should: nothing to fence.
                        deadline.Disarm();
                        expiredAt = null;
                        log($"lease guard: {node}'s lease is no longer seen renewed and its PostgreSQL is not a primary: nothing to fence");
                    }
                }

                if (expiredAt is { } at)
                {
                    var fence = PostgresFence.Kill(dataDirectory,
                        $"{node}'s leader lease was not renewed: {(at + Margin - clock.Elapsed).TotalMilliseconds:0} ms before its earliest possible end it still ran as a primary, so Patroni is stuck");
                    return fence.Reason;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            await stopReading.CancelAsync().ConfigureAwait(false);
            await reads.ConfigureAwait(false);
        }

        return null;
    }

    private async Task ReadLoopAsync(LeaseDeadline deadline, Stopwatch clock, CancellationToken cancellationToken)
    {
        var unreachable = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var askedAt = clock.Elapsed;
            LeaderLease? lease = null;
            try
            {
                lease = await etcd.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (lease is null != unreachable)
            {
                unreachable = lease is null;
                log(unreachable ? "lease guard: no etcd member answers; the last lease seen still bounds this node" : "lease guard: etcd answers again");
            }

            if (lease is not null)
            {
                bool armed;
                lock (deadline)
                {
                    var before = deadline.Deadline;
                    deadline.Observe(lease, askedAt);
                    armed = before is null && deadline.Deadline is not null;
                }

                if (armed)
                {
                    log($"lease guard: {node} holds the leader lease ({lease.Remaining.TotalSeconds:0} s left); its PostgreSQL is fenced if the lease is not renewed in time");
                }
            }

            try
            {
                await Task.Delay(ReadEvery, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

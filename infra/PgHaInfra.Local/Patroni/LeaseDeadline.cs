namespace PgHaInfra.Local.Patroni;

/// <summary>
/// The latest instant at which this node may still be sure it holds Patroni's leader lease, on the supervisor's own
/// monotonic clock: the start of a read that showed the node as holder, plus the lease's remaining time (etcd rounds
/// it down), minus a margin for the fence itself. No other member can be promoted before the lease ends, so a node
/// fenced at this deadline has stopped writing before anyone else starts. Pure: the supervisor feeds it reads and ticks.
/// </summary>
public sealed class LeaseDeadline(string node, TimeSpan margin)
{
    public TimeSpan? Deadline { get; private set; }

    /// <summary>A read that started at <paramref name="askedAt"/>; only a read naming this node moves the deadline, and only later.</summary>
    public void Observe(LeaderLease lease, TimeSpan askedAt)
    {
        if (lease.Holder == node && lease.Remaining > TimeSpan.Zero)
        {
            var until = askedAt + lease.Remaining - margin;
            Deadline = Deadline is { } current && current > until ? current : until;
        }
    }

    public bool Expired(TimeSpan now) => Deadline is { } deadline && now >= deadline;

    /// <summary>The node is no longer a writable primary (Patroni demoted or stopped it): nothing to fence until it holds the lease again.</summary>
    public void Disarm() => Deadline = null;
}

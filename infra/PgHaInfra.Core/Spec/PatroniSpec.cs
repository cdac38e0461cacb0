namespace PgHaInfra.Spec;

/// <summary>
/// Patroni's leader lease. Patroni holds the leader key for <see cref="Ttl"/>, runs its HA loop every
/// <see cref="LoopWait"/> and retries the consensus store and PostgreSQL for <see cref="RetryTimeout"/>; node-loss
/// recovery time is what is left of the lease, plus a promotion.
/// </summary>
public sealed record PatroniTimings(int Ttl, int LoopWait, int RetryTimeout)
{
    /// <summary>Patroni's own defaults: about 21.5 s from a lost primary to the first write here (POSTGRES-NOTES).</summary>
    public static readonly PatroniTimings Default = new(30, 10, 10);

    /// <summary>Measured here: about 5.2 s to the first write, no spurious failover in 4 min idle and under pgbench.</summary>
    public static readonly PatroniTimings Fast = new(5, 1, 2);

    /// <summary>Patroni's rule: the leader must be able to miss one loop and retry twice before its lease runs out.</summary>
    public bool FitsLease => LoopWait + 2 * RetryTimeout <= Ttl;
}

/// <summary>Named timing profiles a stack picks with failover.profile; explicit ttl/loopWait/retryTimeout override them.</summary>
public enum PatroniProfile
{
    /// <summary>Patroni's defaults (ttl 30, loop_wait 10, retry_timeout 10): the safe choice on a loaded network.</summary>
    Default,

    /// <summary>ttl 5, loop_wait 1, retry_timeout 2: about 5 s node-loss RTO here; a consensus store outage over 2 s demotes the leader.</summary>
    Fast,
}

/// <summary>etcd, Patroni's consensus store: one member for local and dev stacks, three for production-like ones.</summary>
/// <param name="ClientPort">The first member's client port; member i listens on ClientPort + 2i (client) and + 2i + 1 (peer).</param>
public sealed record DcsSpec(int Members, int ClientPort)
{
    public int ClientPortOf(int member) => ClientPort + 2 * member;

    public int PeerPortOf(int member) => ClientPort + 2 * member + 1;

    public static string MemberName(int member) => $"etcd-{member + 1}";
}

/// <summary>HAProxy in front of the cluster: the write port routes to Patroni's /primary, the read port to /replica.</summary>
public sealed record HaproxySpec(int WritePort, int ReadPort);

/// <summary>
/// failover.mode: patroni. Everything Patroni needs beyond the rest of the spec, which stays the one source of
/// PostgreSQL settings, pg_hba and roles.
/// </summary>
/// <param name="MaximumLagOnFailover">A replica further behind than this is never promoted by Patroni.</param>
/// <param name="SynchronousMode">Patroni manages synchronous_standby_names and only promotes a synchronous standby (the sync topology).</param>
/// <param name="SynchronousModeStrict">With no synchronous standby left, commits wait instead of going asynchronous.</param>
/// <param name="Watchdog">Patroni's watchdog.mode: off, automatic or required (required needs /dev/watchdog, e.g. softdog).</param>
/// <param name="RestPort">The first node's Patroni REST port; node i (in stack order) uses RestPort + i.</param>
public sealed record PatroniSpec(
    PatroniProfile Profile,
    PatroniTimings Timings,
    ByteSize MaximumLagOnFailover,
    bool SynchronousMode,
    bool SynchronousModeStrict,
    string Watchdog,
    DcsSpec Dcs,
    int RestPort,
    HaproxySpec? Haproxy)
{
    /// <summary>Patroni's default maximum_lag_on_failover (1 MiB).</summary>
    public static readonly ByteSize DefaultMaximumLag = ByteSize.FromMegabytes(1);

    public static readonly string[] WatchdogModes = ["off", "automatic", "required"];

    /// <summary>The Patroni version Debian 12 ships, whose limits validation enforces.</summary>
    public const string SupportedVersion = "3.0.2";

    public static PatroniTimings TimingsOf(PatroniProfile profile) => profile == PatroniProfile.Fast ? PatroniTimings.Fast : PatroniTimings.Default;

    public int RestPortOf(ClusterSpec spec, NodeSpec node) => RestPort + spec.Nodes.IndexOf(node);
}

namespace PgHaInfra.Spec;

public enum FailoverMode
{
    /// <summary>An operator runs `pgha switchover` or `pgha failover`; nothing promotes on its own.</summary>
    Manual,

    /// <summary>Patroni (with etcd as the consensus store) promotes on its own; pgha's operations go through its REST API.</summary>
    Patroni,
}

/// <param name="Patroni">Patroni's settings; set exactly when <paramref name="Mode"/> is <see cref="FailoverMode.Patroni"/>.</param>
public sealed record FailoverSpec(FailoverMode Mode, PatroniSpec? Patroni = null)
{
    public static readonly FailoverSpec Default = new(FailoverMode.Manual);

    public bool IsPatroni => Mode == FailoverMode.Patroni && Patroni is not null;
}

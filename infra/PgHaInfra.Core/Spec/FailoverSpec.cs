namespace PgHaInfra.Spec;

public enum FailoverMode
{
    /// <summary>An operator runs `pgha switchover` or `pgha failover`; nothing promotes on its own.</summary>
    Manual,
}

public sealed record FailoverSpec(FailoverMode Mode)
{
    public static readonly FailoverSpec Default = new(FailoverMode.Manual);
}

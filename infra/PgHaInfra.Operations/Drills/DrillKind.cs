namespace PgHaInfra.Operations.Drills;

public enum DrillKind
{
    /// <summary>A planned switchover to the best replica, old primary rejoined, under continuous writes.</summary>
    Switchover,

    /// <summary>SIGKILL of the primary, failover to the best replica, old primary rejoined, under continuous writes.</summary>
    Failover,
}

namespace PgHaInfra.Spec;

/// <summary>The role replicas connect as, and the superuser the engines manage the cluster with.</summary>
public sealed record ReplicationSpec(string User, string Superuser)
{
    public static readonly ReplicationSpec Default = new("replicator", "postgres");
}

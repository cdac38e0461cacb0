namespace PgHaInfra.Spec;

/// <summary>The cluster's own network: a Docker network for the Pulumi program. Replication is allowed only from it.</summary>
public sealed record NetworkSpec(string Name, string Subnet)
{
    public static NetworkSpec DefaultFor(string cluster) => new($"pgha-{cluster}", "10.89.0.0/24");
}

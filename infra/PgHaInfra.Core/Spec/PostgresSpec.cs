namespace PgHaInfra.Spec;

/// <summary>The PostgreSQL major version, and the image the Pulumi program runs.</summary>
public sealed record PostgresSpec(int Version, string Image)
{
    public static readonly PostgresSpec Default = new(15, "postgres:15-bookworm");
}

namespace PgHaInfra.Spec;

/// <summary>The PostgreSQL major version, and the image the Pulumi program runs.</summary>
public sealed record PostgresSpec(int Version, string Image)
{
    public static readonly PostgresSpec Default = new(15, DefaultImage(15));

    /// <summary>The official image of a major: the default, so that postgres.version alone picks a matching image.</summary>
    public static string DefaultImage(int version) => $"postgres:{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}-bookworm";
}

using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>
/// Sets the superuser's password from its verifier on every start of a primary, so that a replaced password reaches
/// the database (initdb runs only once). From a verifier, so the password never travels in SQL or logs.
/// </summary>
public static class SuperuserSql
{
    public static string Render(ClusterSpec spec, string superuserVerifier) =>
        BootstrapSql.SessionSettings +
        $"-- The superuser's password of cluster \"{spec.Name}\", from the generated secret; only a primary can change roles.\n" +
        "DO $pgha$\nBEGIN\n  IF NOT pg_catalog.pg_is_in_recovery() THEN\n" +
        $"    ALTER ROLE {BootstrapSql.QuoteIdentifier(spec.Replication.Superuser)} WITH PASSWORD {BootstrapSql.QuoteLiteral(superuserVerifier)};\n" +
        "  END IF;\nEND\n$pgha$;\n";
}

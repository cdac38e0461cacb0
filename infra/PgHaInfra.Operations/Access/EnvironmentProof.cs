using Npgsql;

namespace PgHaInfra.Operations.Access;

/// <summary>
/// Npgsql, like libpq, fills every connection setting a connection string leaves out from PG* variables (PGOPTIONS,
/// PGTZ, PGCLIENTENCODING, PGTARGETSESSIONATTRS, PGGSSENCMODE, PGPASSWORD, ...). The connections pgha opens itself
/// set each of them, so the caller's shell cannot steer them to another node, role or session setting.
/// </summary>
public static class EnvironmentProof
{
    public static NpgsqlConnectionStringBuilder Pin(NpgsqlConnectionStringBuilder builder, bool routed = false)
    {
        // Not empty: an empty value does not survive the connection string, and Npgsql would take PGOPTIONS again.
        // client_min_messages=notice is the server's default, so the option changes nothing but the source.
        builder.Options ??= "-c client_min_messages=notice";
        builder.Timezone ??= "UTC";
        builder.ClientEncoding ??= "UTF8";
        builder.GssEncryptionMode = GssEncryptionMode.Disable;
        builder.SslNegotiation = SslNegotiation.Postgres;
        if (!routed)
        {
            builder.TargetSessionAttributes ??= "any";
        }

        return builder;
    }
}

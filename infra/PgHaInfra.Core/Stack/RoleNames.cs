namespace PgHaInfra.Stack;

/// <summary>Role names a stack may not use for its replication user or superuser, each with why.</summary>
internal static class RoleNames
{
    public const string ReservedList = "public, none, all, current_user, current_role, session_user, names starting with pg_";

    public static string? Reserved(string name) => name switch
    {
        "public" => "PostgreSQL's pseudo-role for every role (CREATE ROLE refuses it)",
        "none" => "PostgreSQL reserves it (CREATE ROLE refuses it)",
        "all" => "pg_hba.conf reads it as every user, so the replication rows would match every client",
        "current_user" or "current_role" or "session_user" => "SQL reads it as the role in use, not a role of that name",
        _ when name.StartsWith("pg_", StringComparison.Ordinal) => "names starting with pg_ are reserved for PostgreSQL's own roles",
        _ => null,
    };
}

namespace PgHaInfra.Deployment;

/// <summary>The libpq passfile that the rendered primary_conninfo names, so the password is never inline.</summary>
public static class Passfile
{
    /// <summary>One line for every host, port and database (replication connections ask for the database "replication").</summary>
    public static string Content(string user, string password) => $"*:*:*:{Escape(user)}:{Escape(password)}\n";

    /// <summary>libpq reads ':' and '\' in a field only when escaped with '\'.</summary>
    private static string Escape(string field) =>
        field.Replace(@"\", @"\\", StringComparison.Ordinal).Replace(":", @"\:", StringComparison.Ordinal);
}

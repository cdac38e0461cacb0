namespace PgHaInfra.Rendering;

/// <summary>One postgresql.conf setting and the one-line reason it has this value.</summary>
/// <param name="Value">The value exactly as postgresql.conf takes it, already quoted where needed.</param>
public sealed record PostgresSetting(string Group, string Name, string Value, string Reason)
{
    /// <summary>
    /// A string value in postgresql.conf syntax: single quotes, embedded quotes doubled, and backslashes doubled
    /// because the server reads \n, \t and the like inside quoted values as escapes.
    /// </summary>
    public static string Quote(string value) =>
        $"'{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)}'";

    /// <summary>The value without postgresql.conf quoting, as SHOW and pg_settings report it.</summary>
    public string Unquoted => Value.StartsWith('\'') && Value.EndsWith('\'') && Value.Length >= 2
        ? Value[1..^1].Replace("''", "'", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
        : Value;
}

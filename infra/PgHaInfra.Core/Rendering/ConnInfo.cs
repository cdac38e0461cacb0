using System.Text;

namespace PgHaInfra.Rendering;

/// <summary>Builds libpq keyword/value connection strings (conninfo), quoting values as libpq requires.</summary>
public static class ConnInfo
{
    public static string Format(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join(' ', pairs.Select(p => $"{p.Key}={QuoteValue(p.Value)}"));

    /// <summary>Empty values and values with spaces, quotes or backslashes go in single quotes, with \' and \\ escapes.</summary>
    public static string QuoteValue(string value)
    {
        if (value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '\'' or '\\'))
        {
            return value;
        }

        var quoted = new StringBuilder("'");
        foreach (var c in value)
        {
            if (c is '\'' or '\\')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Append('\'').ToString();
    }
}

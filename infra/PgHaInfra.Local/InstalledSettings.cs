using System.Collections.Immutable;
using System.Text;

namespace PgHaInfra.Local;

/// <summary>
/// Reads the settings of a postgresql.conf as written: name to raw value text (quotes kept), so it compares with
/// the rendered values exactly. Later lines win, as in PostgreSQL.
/// </summary>
public static class InstalledSettings
{
    public static ImmutableSortedDictionary<string, string> Parse(string text)
    {
        var settings = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var nameEnd = equals >= 0 ? equals : line.IndexOfAny([' ', '\t']);
            if (nameEnd <= 0)
            {
                continue;
            }

            var name = line[..nameEnd].Trim().ToLowerInvariant();
            settings[name] = ValueOf(line[(nameEnd + (equals >= 0 ? 1 : 0))..].TrimStart());
        }

        return settings.ToImmutable();
    }

    private static string ValueOf(string rest)
    {
        if (rest.StartsWith('\''))
        {
            var value = new StringBuilder("'");
            for (var i = 1; i < rest.Length; i++)
            {
                value.Append(rest[i]);
                if (rest[i] == '\'')
                {
                    if (i + 1 < rest.Length && rest[i + 1] == '\'')
                    {
                        value.Append('\'');
                        i++;
                        continue;
                    }

                    return value.ToString();
                }
            }

            return value.ToString();
        }

        var end = rest.IndexOfAny([' ', '\t', '#']);
        return end < 0 ? rest : rest[..end];
    }

    public static async Task<ImmutableSortedDictionary<string, string>> ReadAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, "postgresql.conf");
        return File.Exists(path)
            ? Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false))
            : ImmutableSortedDictionary<string, string>.Empty;
    }
}

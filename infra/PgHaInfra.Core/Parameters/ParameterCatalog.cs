using System.Collections.Frozen;
using System.Collections.Immutable;

namespace PgHaInfra.Parameters;

/// <summary>Every parameter of one PostgreSQL major, read from its checked-in list (Parameters/pg&lt;major&gt;.tsv).</summary>
public sealed class ParameterCatalog
{
    private readonly FrozenDictionary<string, ParameterDefinition> byName;

    private ParameterCatalog(int major, string describedAs, IEnumerable<ParameterDefinition> parameters)
    {
        Major = major;
        DescribedAs = describedAs;
        // PostgreSQL compares parameter names case-insensitively (DateStyle, datestyle).
        byName = parameters.ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
    }

    public int Major { get; }

    /// <summary>The server the list was taken from, e.g. "PostgreSQL 15.18".</summary>
    public string DescribedAs { get; }

    public IEnumerable<string> Names => byName.Keys;

    public ParameterDefinition? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>Parses the list: a '#' header naming the server, then name, context, type, unit, min, max, enum values, tab-separated.</summary>
    public static ParameterCatalog Parse(int major, string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines.FirstOrDefault(l => l.StartsWith('#')) ?? $"# PostgreSQL {major}";
        var describedAs = header.TrimStart('#', ' ').Split(" parameters", 2)[0];
        var parameters = lines.Where(l => !l.StartsWith('#')).Select(line =>
        {
            var f = line.TrimEnd('\r').Split('\t');
            if (f.Length != 7)
            {
                throw new FormatException($"pg{major}.tsv: '{f[0]}' has {f.Length} fields, not 7");
            }

            return new ParameterDefinition(f[0], f[1], f[2], f[3], f[4], f[5], f[6].Length == 0 ? [] : [.. f[6].Split(',')]);
        });
        return new ParameterCatalog(major, describedAs, parameters);
    }
}

using System.Collections.Frozen;
using System.Collections.Immutable;

namespace PgHaInfra.Parameters;

/// <summary>
/// The checked-in parameter lists, one per supported PostgreSQL major, embedded in the core. Regenerate one with
/// <c>scripts/postgres-parameters /usr/lib/postgresql/NN/bin &gt; infra/PgHaInfra.Core/Parameters/pgNN.tsv</c>.
/// </summary>
public static class PostgresParameters
{
    /// <summary>The majors with a list, and so the majors a stack may ask for.</summary>
    public static readonly ImmutableArray<int> Majors = [13, 14, 15, 16, 17];

    private static readonly FrozenDictionary<int, Lazy<ParameterCatalog>> Catalogs =
        Majors.ToFrozenDictionary(m => m, m => new Lazy<ParameterCatalog>(() => Load(m)));

    public static ParameterCatalog For(int major) =>
        Catalogs.TryGetValue(major, out var catalog)
            ? catalog.Value
            : throw new ArgumentOutOfRangeException(nameof(major), major, $"no parameter list for PostgreSQL {major}; lists exist for {string.Join(", ", Majors)}");

    private static ParameterCatalog Load(int major)
    {
        var name = $"PgHaInfra.Parameters.pg{major}.tsv";
        using var stream = typeof(PostgresParameters).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the core was built without its resource {name}");
        using var reader = new StreamReader(stream);
        return ParameterCatalog.Parse(major, reader.ReadToEnd());
    }
}

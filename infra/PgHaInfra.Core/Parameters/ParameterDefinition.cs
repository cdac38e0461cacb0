using System.Collections.Immutable;

namespace PgHaInfra.Parameters;

/// <summary>One PostgreSQL parameter as its server describes it (pg_settings): how it is set, its type, unit and range.</summary>
/// <param name="Context">When it takes effect: internal (never settable), postmaster (restart), sighup (reload), user, ...</param>
/// <param name="Type">bool, integer, real, enum or string.</param>
/// <param name="Unit">The base unit of an integer or real ("8kB", "ms", "MB"), or empty.</param>
/// <param name="Min">The smallest value in <paramref name="Unit"/>, or empty.</param>
/// <param name="Max">The largest value in <paramref name="Unit"/>, or empty.</param>
public sealed record ParameterDefinition(string Name, string Context, string Type, string Unit, string Min, string Max, ImmutableArray<string> EnumValues);

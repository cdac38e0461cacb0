using System.Collections.Immutable;

namespace PgHaInfra.Deployment;

/// <summary>A node's data volume. <paramref name="Retain"/>: protected from deletion (production data survives a destroy).</summary>
public sealed record DockerVolume(string Name, string Node, ImmutableSortedDictionary<string, string> Labels, bool Retain);

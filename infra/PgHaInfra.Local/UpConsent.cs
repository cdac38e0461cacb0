using System.Collections.Immutable;

namespace PgHaInfra.Local;

/// <summary>
/// What the user allowed `up` to do beyond its safe defaults. Without it, `up` never deletes a data directory that holds a
/// database cluster, never re-clones a fenced node, and refuses a data directory that state.json does not record.
/// </summary>
/// <param name="Adopt">`--adopt`: record the data directories that are there (an unreadable state.json is set aside first).</param>
/// <param name="Rebuild">`--rebuild NODE`: these nodes' data directories are deleted and made again.</param>
/// <param name="AllowReclone">`--allow-reclone`: a fenced node that pg_rewind cannot rewind (divergence or missing WAL) is re-cloned.</param>
public sealed record UpConsent(bool Adopt = false, ImmutableHashSet<string>? Rebuild = null, bool AllowReclone = false)
{
    public static readonly UpConsent None = new();

    public bool Rebuilds(string node) => Rebuild?.Contains(node) == true;
}

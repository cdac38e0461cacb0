using System.Collections.Immutable;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering;

/// <summary>Where one pgBackRest process finds its configuration file and keeps its log, locks and spool.</summary>
public sealed record PgBackRestPaths(string ConfigFile, string LogDirectory, string LockDirectory, string SpoolDirectory);

/// <summary>
/// Where pgBackRest runs, as far as its configuration cares: the program, each node's config, log, lock and spool
/// directories (nodes on one machine must not share lock or spool: async archive-push and archive-get hold a
/// per-stanza lock), each node's data directory, and a separate set for the backups, restores and listings pgha runs
/// itself (one lock directory, so two backups of a stack never overlap).
/// </summary>
public sealed record BackupPlacement(
    string Executable,
    ImmutableDictionary<string, PgBackRestPaths> Nodes,
    ImmutableDictionary<string, string> DataDirectories,
    PgBackRestPaths Runner)
{
    public const string ConfigFileName = "pgbackrest.conf";

    /// <summary>The directory under the backup root for pgha's own runs; '_' cannot start a node name, so no node clashes.</summary>
    public const string RunnerDirectory = "_pgha";

    /// <summary>Each node under <paramref name="root"/>/&lt;node&gt;/, pgha's runs under <paramref name="root"/>/_pgha/.</summary>
    public static BackupPlacement UnderRoot(ClusterSpec spec, string root, Func<string, string> dataDirectory, string executable) => new(
        executable,
        spec.Nodes.ToImmutableDictionary(n => n.Name, n => PathsIn(Path.Combine(root, n.Name))),
        spec.Nodes.ToImmutableDictionary(n => n.Name, n => dataDirectory(n.Name)),
        PathsIn(Path.Combine(root, RunnerDirectory)));

    /// <summary>Inside a container: one node per container, so one set of paths serves every node.</summary>
    public static BackupPlacement Container(ClusterSpec spec, string dataDirectory)
    {
        var paths = new PgBackRestPaths("/etc/postgresql/pgha/" + ConfigFileName, "/var/log/pgbackrest", "/tmp/pgbackrest", "/var/spool/pgbackrest");
        return new("pgbackrest", spec.Nodes.ToImmutableDictionary(n => n.Name, _ => paths), spec.Nodes.ToImmutableDictionary(n => n.Name, _ => dataDirectory), paths);
    }

    public static PgBackRestPaths PathsIn(string directory) => new(
        Path.Combine(directory, ConfigFileName), Path.Combine(directory, "log"), Path.Combine(directory, "lock"), Path.Combine(directory, "spool"));

    /// <summary>Every directory pgBackRest writes to, for the engine to create (owned by the server user) before the first archive-push.</summary>
    public IEnumerable<string> Directories() =>
        Nodes.Values.Append(Runner).SelectMany(p => new[] { Path.GetDirectoryName(p.ConfigFile)!, p.LogDirectory, p.LockDirectory, p.SpoolDirectory }).Distinct();
}

using System.Collections.Immutable;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Local;

/// <summary>
/// Writes a node's rendered files into its data directory and reports what changed. Rendering builds the text;
/// this only writes it (atomically, 0600, owned by the server user), and leaves a file alone when it is already right.
/// </summary>
public static class ConfigInstaller
{
    /// <summary>The rendered files that live in the data directory (bootstrap.sql is run, not installed).</summary>
    public static IEnumerable<RenderedFile> InstalledFiles(NodeFiles files) =>
        files.Files.Where(f => f.Name != NodeFiles.BootstrapSql);

    /// <summary>
    /// Renders <paramref name="node"/>'s files for <paramref name="spec"/> (the role the spec gives it, this cluster's
    /// placement) and installs them: how a switchover, a rejoin or a restore puts a node's configuration in place.
    /// </summary>
    public static Task<ImmutableArray<string>> InstallRenderedAsync(LocalCluster cluster, ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var files = NodeFiles.Render(spec, LocalPlacement.Of(spec, cluster.Layout), node, BootstrapSql.VerifierPlaceholder);
        return InstallAsync(cluster.Layout.DataDirectory(node.Name), files, cluster.User, cancellationToken);
    }

    /// <returns>The names of the files that were written because they differed or were missing.</returns>
    public static async Task<ImmutableArray<string>> InstallAsync(string dataDirectory, NodeFiles files, ServerUser user, CancellationToken cancellationToken)
    {
        var changed = ImmutableArray.CreateBuilder<string>();
        foreach (var file in InstalledFiles(files))
        {
            var path = Path.Combine(dataDirectory, file.Name);
            if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) == file.Content)
            {
                continue;
            }

            await user.WriteFileAsync(path, file.Content, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
            changed.Add(file.Name);
        }

        return changed.ToImmutable();
    }
}

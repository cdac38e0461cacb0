using System.Collections.Immutable;
using PgHaInfra.Rendering;

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

using PgHaInfra.Spec;

namespace PgHaInfra.Stack;

/// <summary>Loads a stack by name from the project's stacks folder: the CLI's way in, beside Pulumi's Config.</summary>
public static class StackLoader
{
    /// <exception cref="StackValidationException">The stack does not exist, or has mistakes.</exception>
    public static async Task<ClusterSpec> LoadAsync(StackCatalog catalog, string stack, CancellationToken cancellationToken)
    {
        var path = catalog.PathOf(stack);
        if (!File.Exists(path))
        {
            var known = catalog.Stacks();
            throw new StackValidationException([new StackError(path, null, "--stack", $"\"{stack}\"", "has no stack file",
                known.Count > 0 ? string.Join(", ", known) : $"no stacks found in {catalog.Directory}",
                Spelling.Nearest(stack, known) is { } near ? $"\"{near}\"" : null)]);
        }

        return ClusterSpecReader.Read(await YamlStackFile.LoadAsync(path, cancellationToken).ConfigureAwait(false));
    }
}

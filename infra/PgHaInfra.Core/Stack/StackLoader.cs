using PgHaInfra.Spec;
using PgHaInfra.Messages;

namespace PgHaInfra.Stack;

/// <summary>Loads a stack by name from the project's stacks folder: the CLI's way in, beside Pulumi's Config.</summary>
public static class StackLoader
{
    /// <exception cref="StackValidationException">The stack does not exist, or has mistakes.</exception>
    public static async Task<ClusterSpec> LoadAsync(StackCatalog catalog, string stack, CancellationToken cancellationToken)
    {
        if (!StackName.IsValid(stack))
        {
            throw new StackValidationException([new StackError(catalog.Directory, null, "--stack", Shown.Quote(stack), "is not a stack name", StackName.Allowed)]);
        }

        var path = catalog.PathOf(stack);
        if (!File.Exists(path) && StackFileText.TypeOf(path) is null)
        {
            var known = catalog.Stacks();
            throw new StackValidationException([new StackError(path, null, "--stack", Shown.Quote(stack), "has no stack file",
                known.Count > 0 ? string.Join(", ", known) : $"no stacks found in {catalog.Directory}",
                Spelling.Nearest(stack, known) is { } near ? Shown.Quote(near) : null)]);
        }

        return ClusterSpecReader.Read(await YamlStackFile.LoadAsync(path, cancellationToken).ConfigureAwait(false));
    }
}

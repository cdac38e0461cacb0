namespace PgHaInfra.Stack;

/// <summary>Finds stack files: stacks/Pulumi.&lt;stack&gt;.yaml, the folder Pulumi.yaml names as stackConfigDir.</summary>
public sealed record StackCatalog(string Directory)
{
    private const string Prefix = "Pulumi.";
    private const string Suffix = ".yaml";

    public string PathOf(string stack) => Path.Combine(Directory, $"{Prefix}{stack}{Suffix}");

    /// <summary>The key of an error about the stacks folder itself.</summary>
    public const string FolderKey = "(stacks folder)";

    /// <exception cref="StackValidationException">The folder exists but cannot be listed.</exception>
    public IReadOnlyList<string> Stacks()
    {
        try
        {
            return System.IO.Directory.Exists(Directory)
                ? [.. System.IO.Directory.EnumerateFiles(Directory, $"{Prefix}*{Suffix}").Select(StackNameOf).Order(StringComparer.Ordinal)]
                : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StackValidationException([new StackError(Directory, null, FolderKey, null, $"cannot be read: {e.Message.TrimEnd('.')}",
                "a folder of Pulumi.<stack>.yaml files that pgha may list (see --stacks-dir)")]);
        }
    }

    public static string StackNameOf(string path)
    {
        var file = Path.GetFileName(path);
        return file.StartsWith(Prefix, StringComparison.Ordinal) && file.EndsWith(Suffix, StringComparison.Ordinal)
            ? file[Prefix.Length..^Suffix.Length]
            : Path.GetFileNameWithoutExtension(file);
    }

    /// <summary>The stacks folder of the project that contains <paramref name="start"/>, found by walking up to Pulumi.yaml.</summary>
    public static StackCatalog Discover(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pulumi.yaml")))
            {
                return new StackCatalog(Path.Combine(dir.FullName, "stacks"));
            }
        }

        return new StackCatalog(Path.Combine(start, "stacks"));
    }
}

using PgHaInfra.Stack;

namespace PgHaInfra.Pulumi.Tests;

/// <summary>The stack files under test: every one in the repository's stacks/, plus this project's extra topologies.</summary>
public static class StackFiles
{
    public static StackCatalog Repository { get; } = StackCatalog.Discover(AppContext.BaseDirectory);

    public static StackCatalog Extra { get; } = new(Path.Combine(AppContext.BaseDirectory, "Stacks"));

    public static IEnumerable<StackCatalog> Catalogs => [Repository, Extra];

    /// <summary>Every stack, as (catalog directory, stack name), for [MemberData].</summary>
    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var catalog in Catalogs)
        {
            foreach (var stack in catalog.Stacks())
            {
                data.Add(catalog.Directory, stack);
            }
        }

        return data;
    }

    public static string PathOf(string directory, string stack) => new StackCatalog(directory).PathOf(stack);
}

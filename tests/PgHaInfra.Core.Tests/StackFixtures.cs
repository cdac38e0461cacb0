using PgHaInfra.Spec;
using PgHaInfra.Stack;

namespace PgHaInfra.Core.Tests;

/// <summary>The repository's own stacks folder, and parsing of inline stack text.</summary>
internal static class StackFixtures
{
    public static StackCatalog RepositoryStacks { get; } = StackCatalog.Discover(AppContext.BaseDirectory);

    public static Task<ClusterSpec> LoadAsync(string stack) => StackLoader.LoadAsync(RepositoryStacks, stack, CancellationToken.None);

    public static (ClusterSpec? Spec, System.Collections.Immutable.ImmutableArray<StackError> Errors) Parse(string yaml, string stack = "test") =>
        ClusterSpecReader.TryRead(YamlStackFile.Parse(stack, $"stacks/Pulumi.{stack}.yaml", yaml));
}

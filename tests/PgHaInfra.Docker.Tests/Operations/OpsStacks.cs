using PgHaInfra.Spec;
using PgHaInfra.Stack;

namespace PgHaInfra.Docker.Tests.Operations;

/// <summary>The DockerOps tests' own stacks (cluster names no other test deploys), adapted to this machine as every Docker test's are.</summary>
public static class OpsStacks
{
    private static readonly StackCatalog Catalog = new(Path.Combine(AppContext.BaseDirectory, "OpsStacks"));

    public static async Task<ClusterSpec> LoadAsync(string stack, CancellationToken cancellationToken) =>
        TestStacks.ForThisMachine(await StackLoader.LoadAsync(Catalog, stack, cancellationToken));
}

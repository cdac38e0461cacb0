using PgHaInfra.Pulumi.Components;

namespace PgHaInfra.Pulumi.Tests;

/// <summary>Type tokens are part of every URN: renaming one would replace every resource of every stack.</summary>
public sealed class TypeTokenTests
{
    [Fact]
    public void Components_keep_their_pgha_type_tokens()
    {
        Assert.Equal(
            ["pgha:index:SingleCluster", "pgha:index:AsyncCluster", "pgha:index:SyncCluster", "pgha:index:CascadingCluster", "pgha:index:PostgresNode"],
            [SingleCluster.Type, AsyncCluster.Type, SyncCluster.Type, CascadingCluster.Type, PostgresNode.Type]);
    }
}

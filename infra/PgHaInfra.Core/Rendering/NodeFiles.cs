using System.Collections.Immutable;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering;

/// <summary>One rendered file of a node, by its name in the data directory.</summary>
public sealed record RenderedFile(string Name, string Content);

/// <summary>Everything a node needs on disk, rendered from the spec. Engines write these; they invent nothing.</summary>
public sealed record NodeFiles(NodeSpec Node, bool IsPrimary, ImmutableArray<RenderedFile> Files)
{
    public const string PostgresqlConf = "postgresql.conf";
    public const string PgHbaConf = "pg_hba.conf";
    public const string BootstrapSql = "bootstrap.sql";

    /// <summary>An empty file whose presence makes PostgreSQL start as a standby.</summary>
    public const string StandbySignal = "standby.signal";

    public string this[string name] => Files.First(f => f.Name == name).Content;

    /// <param name="scramVerifier">The replication role's verifier; <see cref="BootstrapSql.VerifierPlaceholder"/> for display.</param>
    public static NodeFiles Render(ClusterSpec spec, ClusterPlacement placement, NodeSpec node, string scramVerifier)
    {
        var sql = Rendering.BootstrapSql.ForNode(spec, node, scramVerifier);
        ImmutableArray<RenderedFile> files =
        [
            new(PostgresqlConf, PostgresConf.Render(spec, placement, node)),
            new(PgHbaConf, PgHba.Render(spec, placement)),
            new(BootstrapSql, sql),
            .. spec.IsPrimary(node) ? ImmutableArray<RenderedFile>.Empty : [new RenderedFile(StandbySignal, "")],
        ];
        return new NodeFiles(node, spec.IsPrimary(node), files);
    }

    public static ImmutableArray<NodeFiles> RenderCluster(ClusterSpec spec, ClusterPlacement placement, string scramVerifier) =>
        [.. spec.InCreationOrder().Select(n => Render(spec, placement, n, scramVerifier))];
}

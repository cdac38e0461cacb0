using System.Collections.Immutable;

namespace PgHaInfra.Docker;

/// <summary>One node's container as the engine reports it, found by its pgha labels.</summary>
/// <param name="Aliases">Its aliases on the cluster network (without Docker's own short-id alias).</param>
public sealed record DeployedNode(string Node, string Id, string Name, string Image, bool Running, string Volume, string NetworkId, ImmutableArray<string> Aliases);

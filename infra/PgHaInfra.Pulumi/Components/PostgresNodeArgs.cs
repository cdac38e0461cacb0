using PgHaInfra.Spec;
using Pulumi;

namespace PgHaInfra.Pulumi.Components;

/// <summary>What one node's component needs from its cluster.</summary>
/// <param name="ImageId">The pulled PostgreSQL image.</param>
/// <param name="NetworkName">The cluster's Docker network.</param>
/// <param name="SuperuserPassword">Secret: the image's entrypoint sets it when it initialises the primary.</param>
/// <param name="ReplicationPassword">Secret: written into the passfile that primary_conninfo names.</param>
/// <param name="ReplicationVerifier">Secret: the SCRAM verifier that bootstrap.sql creates the replication role from.</param>
/// <param name="PublishAddress">The host address the node's port is published on.</param>
/// <param name="Upstream">The container this node streams from; null for the primary.</param>
public sealed record PostgresNodeArgs(
    ClusterSpec Spec,
    NodeSpec Node,
    Input<string> ImageId,
    Input<string> NetworkName,
    Output<string> SuperuserPassword,
    Output<string> ReplicationPassword,
    Output<string> ReplicationVerifier,
    string PublishAddress,
    Resource? Upstream);

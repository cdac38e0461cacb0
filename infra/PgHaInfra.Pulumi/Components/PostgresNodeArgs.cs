using PgHaInfra.Deployment;
using Pulumi;

namespace PgHaInfra.Pulumi.Components;

/// <summary>What one node's component maps: its container and volume from the description, and the resources it needs.</summary>
/// <param name="Shape">The container as described with placeholder secrets: every field that is not secret, known at declaration.</param>
/// <param name="Actual">The same container described with the generated secrets: the source of every secret field.</param>
/// <param name="Volume">Its data volume from the description.</param>
/// <param name="ImageId">The image resource's id, so containers are pinned to it.</param>
/// <param name="NetworkName">The network resource's name, so containers depend on it.</param>
/// <param name="Upstream">The container this node is created after (the description's Upstream); null for the primary.</param>
public sealed record PostgresNodeArgs(
    ContainerSpec Shape,
    Output<ContainerSpec> Actual,
    DockerVolume Volume,
    Input<string> ImageId,
    Input<string> NetworkName,
    Resource? Upstream);

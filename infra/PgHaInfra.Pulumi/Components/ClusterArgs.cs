using PgHaInfra.Pulumi.Verification;
using PgHaInfra.Spec;

namespace PgHaInfra.Pulumi.Components;

/// <summary>What a cluster component is built from.</summary>
/// <param name="Spec">The validated stack; its docker.publishAddress is where ports are published and the check connects.</param>
/// <param name="Check">The post-deploy streaming check; it runs after an update, never in a preview.</param>
public sealed record ClusterArgs(ClusterSpec Spec, PostDeployCheck Check);

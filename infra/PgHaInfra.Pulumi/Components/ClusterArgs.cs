using PgHaInfra.Pulumi.Verification;
using PgHaInfra.Spec;

namespace PgHaInfra.Pulumi.Components;

/// <summary>What a cluster component is built from.</summary>
/// <param name="Spec">The validated stack.</param>
/// <param name="Check">The post-deploy streaming check; it runs after an update, never in a preview.</param>
/// <param name="PublishAddress">The host address every node's port is published on; loopback unless the caller says otherwise.</param>
public sealed record ClusterArgs(ClusterSpec Spec, PostDeployCheck Check, string PublishAddress = ClusterArgs.Loopback)
{
    public const string Loopback = "127.0.0.1";

    /// <summary>Where the check reaches the published ports: a port published on every interface is on loopback too.</summary>
    public string CheckHost => PublishAddress is "0.0.0.0" or "::" ? Loopback : PublishAddress;
}

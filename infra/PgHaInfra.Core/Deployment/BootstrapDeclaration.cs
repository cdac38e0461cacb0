using System.Collections.Immutable;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>
/// The only role-dependent inputs of a node's container, read once, when the container is created: how an empty volume
/// is made (initdb for the declared primary, a base backup from the declared upstream otherwise), the role settings
/// the first bootstrap writes into the data, and the write and read names the node answers for at creation.
/// They are create-only: the Pulumi program ignores changes to them (ignoreChanges on envs and networksAdvanced) and
/// the test fixture's re-apply does too, because after a failover the data and pgha's operations own the role, and a
/// changed input would replace (restart) the new primary.
/// </summary>
/// <param name="Mode"><see cref="InitDb"/> or <see cref="BaseBackup"/>.</param>
/// <param name="From">The upstream's host name on the cluster network, for <see cref="BaseBackup"/>.</param>
/// <param name="Role">The role settings (pgha.role.conf) the first bootstrap writes.</param>
/// <param name="Aliases">The endpoint names (write, read) at creation; operations move them afterwards.</param>
public sealed record BootstrapDeclaration(string Mode, string? From, string Role, ImmutableArray<string> Aliases)
{
    public const string InitDb = "initdb";
    public const string BaseBackup = "clone";

    public const string ModeVariable = "PGHA_BOOTSTRAP";
    public const string FromVariable = "PGHA_BOOTSTRAP_FROM";
    public const string RoleVariable = "PGHA_BOOTSTRAP_ROLE_CONF";

    /// <summary>The Pulumi input names (ContainerArgs) that carry it, and that the program therefore marks ignoreChanges.</summary>
    public static readonly ImmutableArray<string> CreateOnlyInputs = ["envs", "networksAdvanced"];

    public ImmutableArray<EnvironmentVariable> Environment =>
    [
        new(ModeVariable, DeploymentValue.Plain(Mode)),
        .. From is null ? ImmutableArray<EnvironmentVariable>.Empty : [new EnvironmentVariable(FromVariable, DeploymentValue.Plain(From))],
        new(RoleVariable, DeploymentValue.Plain(Role)),
    ];

    public static BootstrapDeclaration For(ClusterSpec spec, NodeSpec node)
    {
        var placement = ClusterPlacement.DockerNetwork(spec);
        var upstream = spec.UpstreamOf(node);
        return new BootstrapDeclaration(
            upstream is null ? InitDb : BaseBackup,
            upstream is null ? null : placement.AddressOf(upstream).Host,
            RoleConf.RenderRole(spec, placement, node),
            NetworkAliases.EndpointsOf(spec, node));
    }
}

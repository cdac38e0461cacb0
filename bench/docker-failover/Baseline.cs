using PgHaInfra.Deployment;
using PgHaInfra.Docker.Tests;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Bench.DockerFailover;

/// <summary>
/// What a person types to move the primary of the deployed containers, with no check at all: stop (switchover) or
/// kill (failover) the old primary, `docker exec` pg_promote on the target, re-point each other replica (its slot on
/// the target, its role settings, a reload), and move the write alias (network disconnect and connect).
/// </summary>
public static class Baseline
{
    public static async Task PromoteAsync(DeployedCluster cluster, ClusterSpec spec, string target, bool kill, CancellationToken ct)
    {
        var old = cluster.Deployment.Container(spec.Primary).Name;
        await DockerCli.RunAsync(kill ? ["kill", old] : ["stop", "--time", "60", old], ct);
        await PsqlAsync(cluster, spec, target, "SELECT pg_promote(true, 60)", ct);
        var next = spec.WithPrimary(target);
        var placement = ClusterPlacement.DockerNetwork(next);
        await Task.WhenAll(next.Replicas.Where(r => r.Name != spec.Primary).Select(async replica =>
        {
            await PsqlAsync(cluster, spec, target, BootstrapSql.CreateSlot(replica.SlotName), ct);
            var conf = RoleConf.RenderRole(next, placement, replica);
            await DockerCli.RunAsync(["exec", "-u", "postgres", "-e", $"CONF={conf}", cluster.Deployment.Container(replica.Name).Name, "sh", "-c", $"printf '%s' \"$CONF\" > {ContainerLayout.RoleConf}"], ct);
            await PsqlAsync(cluster, spec, replica.Name, "SELECT pg_reload_conf()", ct);
        }));
        await MoveAliasAsync(cluster, next, spec.Primary, [], ct);
        await MoveAliasAsync(cluster, next, target, NetworkAliases.EndpointsOf(next, next.Node(target)), ct);
    }

    private static async Task MoveAliasAsync(DeployedCluster cluster, ClusterSpec spec, string node, IEnumerable<string> endpoints, CancellationToken ct)
    {
        var name = cluster.Deployment.Container(node).Name;
        await DockerCli.RunAsync(["network", "disconnect", "--force", spec.Network.Name, name], ct);
        await DockerCli.RunAsync(["network", "connect", .. NetworkAliases.For(spec, spec.Node(node)).Concat(endpoints).SelectMany(a => new[] { "--alias", a }), spec.Network.Name, name], ct);
    }

    private static Task<string> PsqlAsync(DeployedCluster cluster, ClusterSpec spec, string node, string sql, CancellationToken ct) =>
        DockerCli.RunAsync(["exec", "-u", "postgres", cluster.Deployment.Container(node).Name, $"{ContainerLayout.BinDirectory(spec)}/psql", "-X", "-qAt", "-h", ContainerLayout.SocketDirectory,
            "-U", spec.Replication.Superuser, "-d", "postgres", "-c", sql], ct);
}

using System.Globalization;
using Npgsql;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Endpoints;

/// <summary>
/// The write and read endpoints as connection strings that route by themselves: multi-host, with
/// Target Session Attributes=read-write for writes and prefer-standby with load balancing for reads.
/// Npgsql's multi-host data source (and libpq's target_session_attrs) does the routing; pgha writes no router.
/// </summary>
public sealed record ClusterEndpoints(string Write, string Read, string WriteLibpq, string ReadLibpq)
{
    /// <param name="user">The role applications connect as; the password is left out on purpose.</param>
    public static ClusterEndpoints For(ClusterSpec spec, IReadOnlyDictionary<string, NodeAddress> addresses, string user, string database = "postgres")
    {
        // A delayed replica serves data as old as its delay and is never promoted without --force: no endpoint lists it.
        var routable = Routable(spec).ToList();
        // The primary first: a read-write client finds it at the first try; after a failover it still finds the new one.
        var primaryFirst = routable.OrderBy(n => spec.IsPrimary(n) ? 0 : 1).Select(n => addresses[n.Name]).ToList();
        var replicasFirst = routable.OrderBy(n => spec.IsPrimary(n) ? 1 : 0).Select(n => addresses[n.Name]).ToList();
        var hosts = (IEnumerable<NodeAddress> list) => string.Join(',', list.Select(a => $"{a.Host}:{a.Port.ToString(CultureInfo.InvariantCulture)}"));

        string Npgsql(IEnumerable<NodeAddress> list, TargetSessionAttributes target, bool balance) => new NpgsqlConnectionStringBuilder
        {
            Host = hosts(list),
            Database = database,
            Username = user,
            TargetSessionAttributes = target switch
            {
                TargetSessionAttributes.ReadWrite => "read-write",
                TargetSessionAttributes.PreferStandby => "prefer-standby",
                _ => throw new ArgumentOutOfRangeException(nameof(target)),
            },
            LoadBalanceHosts = balance,
        }.ConnectionString;

        // load_balance_hosts needs libpq 16 and psql 15 rejects it, so the libpq form leaves it out.
        string Libpq(IEnumerable<NodeAddress> list, string target)
        {
            var items = list.ToList();
            return ConnInfo.Format(
            [
                new("host", string.Join(',', items.Select(a => a.Host))),
                new("port", string.Join(',', items.Select(a => a.Port.ToString(CultureInfo.InvariantCulture)))),
                new("dbname", database),
                new("user", user),
                new("target_session_attrs", target),
            ]);
        }

        return new ClusterEndpoints(
            Npgsql(primaryFirst, TargetSessionAttributes.ReadWrite, balance: false),
            Npgsql(replicasFirst, TargetSessionAttributes.PreferStandby, balance: true),
            Libpq(primaryFirst, "read-write"),
            Libpq(replicasFirst, "prefer-standby"));
    }

    /// <summary>The nodes an endpoint may route to: the primary and every replica that is not delayed.</summary>
    public static IEnumerable<NodeSpec> Routable(ClusterSpec spec) => spec.Nodes.Where(n => spec.IsPrimary(n) || !n.IsDelayed);
}

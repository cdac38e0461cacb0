using System.Collections.Immutable;

namespace PgHaInfra.Rendering.Patroni;

/// <summary>
/// Where Patroni's nodes live, beyond what <see cref="ClusterPlacement"/> says about PostgreSQL: each node's data
/// directory and Patroni passfile, PostgreSQL's bin directory, and the host the REST API and etcd are reached on.
/// </summary>
/// <param name="Host">Where every REST API, etcd member and HAProxy listens (127.0.0.1 for the local engine).</param>
/// <param name="PatroniPassfile">Per node: the libpq passfile Patroni itself writes (0600) and names in primary_conninfo.</param>
public sealed record PatroniPlacement(
    ClusterPlacement Postgres,
    string Host,
    string BinDirectory,
    ImmutableDictionary<string, string> DataDirectories,
    ImmutableDictionary<string, string> PatroniPassfile)
{
    /// <summary>Patroni's key prefix in etcd: pgha's clusters keep to their own subtree.</summary>
    public const string Namespace = "/pgha/";

    /// <summary>The etcd key Patroni's leader holds under its lease (Patroni's etcd3 layout: namespace, scope, "leader").</summary>
    public static string LeaderKey(string scope) => $"{Namespace}{scope}/leader";
}

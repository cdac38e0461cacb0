using System.Collections.Immutable;
using PgHaInfra.Rendering;
using PgHaInfra.Rendering.Patroni;
using PgHaInfra.Spec;

namespace PgHaInfra.Local.Patroni;

/// <summary>
/// Where the patroni mode keeps its files inside a stack's state directory, beside the manual mode's:
/// <code>
/// &lt;root&gt;/patroni/&lt;node&gt;.yml        each node's rendered patroni.yml
/// &lt;root&gt;/haproxy/haproxy.cfg      HAProxy's rendered configuration
/// &lt;root&gt;/etcd/etcd-N/             each etcd member's data
/// &lt;root&gt;/secrets/patroni-&lt;node&gt;.pgpass   the passfile Patroni writes for its node
/// &lt;root&gt;/run/&lt;process&gt;.pid          pid of each node supervisor, etcd member and HAProxy pgha started
/// &lt;root&gt;/logs/&lt;process&gt;.log          their logs (a node's log holds its supervisor, Patroni and PostgreSQL)
/// </code>
/// </summary>
public sealed record PatroniLayout(StateLayout State)
{
    public string ConfigDirectory => Path.Combine(State.Root, "patroni");

    public string HaproxyDirectory => Path.Combine(State.Root, "haproxy");

    public string EtcdRoot => Path.Combine(State.Root, "etcd");

    public string ConfigFile(string node) => Path.Combine(ConfigDirectory, $"{node}.yml");

    public string HaproxyConfigFile => Path.Combine(HaproxyDirectory, HaproxyConfig.FileName);

    public string EtcdDataDirectory(int member) => Path.Combine(EtcdRoot, DcsSpec.MemberName(member));

    public string PatroniPassfile(string node) => Path.Combine(State.SecretsDirectory, $"patroni-{node}.pgpass");

    public string PidFile(string process) => Path.Combine(State.SocketDirectory, $"{process}.pid");

    public string LogFile(string process) => Path.Combine(State.LogDirectory, $"{process}.log");

    /// <summary>The name pid and log files use for a node's supervisor.</summary>
    public static string SupervisorName(string node) => node;

    public const string HaproxyName = "haproxy";

    public PatroniPlacement Placement(ClusterSpec spec, string binDirectory) => new(
        ClusterPlacement.Loopback(spec, State.ReplicationPassfile, State.SocketDirectory),
        "127.0.0.1",
        binDirectory,
        spec.Nodes.ToImmutableDictionary(n => n.Name, n => State.DataDirectory(n.Name)),
        spec.Nodes.ToImmutableDictionary(n => n.Name, n => PatroniPassfile(n.Name)));
}

using System.Collections.Immutable;
using PgHaInfra.Rendering;
using PgHaInfra.Rendering.Patroni;
using PgHaInfra.Spec;
using YamlDotNet.RepresentationModel;

namespace PgHaInfra.Core.Tests.Patroni;

/// <summary>patroni.yml and haproxy.cfg come from the same spec and the same PostgresConf/PgHba as the manual mode.</summary>
public sealed class PatroniRenderingTests
{
    private static PatroniPlacement PlacementFor(ClusterSpec spec) => new(
        ClusterPlacement.Loopback(spec, "/state/secrets/replication.pgpass", "/state/run"),
        "127.0.0.1",
        "/usr/lib/postgresql/15/bin",
        spec.Nodes.ToImmutableDictionary(n => n.Name, n => $"/state/data/{n.Name}"),
        spec.Nodes.ToImmutableDictionary(n => n.Name, n => $"/state/secrets/patroni-{n.Name}.pgpass"));

    private static YamlMappingNode Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string At(YamlMappingNode root, string path)
    {
        YamlNode node = root;
        foreach (var part in path.Split('/'))
        {
            node = ((YamlMappingNode)node)[part];
        }

        return ((YamlScalarNode)node).Value!;
    }

    private static ClusterSpec Load(string yaml) => StackFixtures.Parse(yaml, "ha").Spec ?? throw new InvalidOperationException(string.Join("\n", StackFixtures.Parse(yaml, "ha").Errors));

    [Fact]
    public void Sync_topology_becomes_synchronous_mode_with_the_lease_and_the_cluster_parameters_of_postgres_conf()
    {
        var spec = Load(PatroniStacks.SyncWith(PatroniStacks.Ports + "    profile: fast\n"));
        var placement = PlacementFor(spec);
        var yaml = Yaml(PatroniConfig.Render(spec, placement, spec.Node("pg-2")));

        Assert.Equal("5", At(yaml, "bootstrap/dcs/ttl"));
        Assert.Equal("1", At(yaml, "bootstrap/dcs/loop_wait"));
        Assert.Equal("2", At(yaml, "bootstrap/dcs/retry_timeout"));
        Assert.Equal("true", At(yaml, "bootstrap/dcs/synchronous_mode"));
        Assert.Equal("1", At(yaml, "bootstrap/dcs/synchronous_node_count"));
        Assert.Equal("true", At(yaml, "bootstrap/dcs/postgresql/use_pg_rewind"));
        Assert.Equal("true", At(yaml, "bootstrap/dcs/postgresql/use_slots"));
        // Every cluster-wide setting PostgresConf renders for the primary, and none that Patroni owns.
        var parameters = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml["bootstrap"])["dcs"])["postgresql"])["parameters"];
        var rendered = PostgresConf.Settings(spec, placement.Postgres, spec.PrimaryNode).Where(s => !PatroniConfig.OwnedByPatroni.Contains(s.Name) && !PatroniConfig.NodeLocal.Contains(s.Name));
        foreach (var setting in rendered)
        {
            Assert.Equal(PatroniConfig.Unquote(setting.Value), ((YamlScalarNode)parameters[setting.Name]).Value);
        }

        Assert.Equal("on", ((YamlScalarNode)parameters["wal_log_hints"]).Value);
        Assert.Equal("on", ((YamlScalarNode)parameters["synchronous_commit"]).Value);
        Assert.False(parameters.Children.ContainsKey(new YamlScalarNode("synchronous_standby_names")));
        Assert.False(parameters.Children.ContainsKey(new YamlScalarNode("primary_conninfo")));
        Assert.Equal("127.0.0.1:15433", At(yaml, "postgresql/listen"));
        Assert.Equal("127.0.0.1:16001", At(yaml, "restapi/listen"));
        Assert.Equal("/state/run", At(yaml, "postgresql/parameters/unix_socket_directories"));
        Assert.Equal("/usr/lib/postgresql/15/bin", At(yaml, "postgresql/bin_dir"));
        Assert.Equal("false", At(yaml, "tags/nosync"));
    }

    [Fact]
    public void Patroni_yml_holds_no_password_and_pg_hba_is_pghas()
    {
        var spec = Load(PatroniStacks.SyncWith(PatroniStacks.Ports));
        var text = PatroniConfig.Render(spec, PlacementFor(spec), spec.Node("pg-1"));
        var yaml = Yaml(text);

        Assert.DoesNotContain("password:", text, StringComparison.Ordinal);
        Assert.Equal("replicator", At(yaml, "postgresql/authentication/replication/username"));
        var hba = ((YamlSequenceNode)((YamlMappingNode)yaml["postgresql"])["pg_hba"]).Children.Cast<YamlScalarNode>().Select(s => s.Value!).ToList();
        var expected = PgHba.Render(spec, PlacementFor(spec).Postgres).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l[..l.IndexOf('#', StringComparison.Ordinal)].TrimEnd());
        Assert.Equal(expected, hba);
    }

    [Fact]
    public void Cascading_becomes_replicatefrom_and_the_delayed_replica_gets_its_delay_nofailover_and_noloadbalance()
    {
        var spec = Load(PatroniStacks.Cascading);
        var placement = PlacementFor(spec);
        var cascaded = Yaml(PatroniConfig.Render(spec, placement, spec.Node("pg-3")));
        var delayed = Yaml(PatroniConfig.Render(spec, placement, spec.Node("pg-dr")));
        var direct = Yaml(PatroniConfig.Render(spec, placement, spec.Node("pg-2")));

        Assert.Equal("pg-2", At(cascaded, "tags/replicatefrom"));
        Assert.False(((YamlMappingNode)direct["tags"]).Children.ContainsKey(new YamlScalarNode("replicatefrom")));
        Assert.Equal("true", At(delayed, "tags/nofailover"));
        Assert.Equal("true", At(delayed, "tags/noloadbalance"));
        Assert.Equal("1h", At(delayed, "postgresql/recovery_conf/recovery_min_apply_delay"));
        Assert.Equal("false", At(direct, "tags/nofailover"));
        Assert.Equal("false", At(cascaded, "bootstrap/dcs/synchronous_mode"));
    }

    [Fact]
    public void Haproxy_routes_the_write_port_by_primary_and_the_read_port_by_replica()
    {
        var spec = Load(PatroniStacks.Cascading);
        var text = HaproxyConfig.Render(spec, PlacementFor(spec));

        Assert.Contains("listen tree-write\n    bind 127.0.0.1:16200\n    balance first\n    option httpchk GET /primary", text, StringComparison.Ordinal);
        Assert.Contains("listen tree-read\n    bind 127.0.0.1:16201\n    balance roundrobin\n    option httpchk GET /replica", text, StringComparison.Ordinal);
        Assert.Contains("    server pg-dr 127.0.0.1:15435 check port 16003", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Etcd_listens_on_loopback_with_a_token_per_cluster()
    {
        var spec = Load(PatroniStacks.Cascading);
        var args = EtcdCommand.Arguments(spec, "127.0.0.1", 0, "/state/etcd/etcd-1");

        Assert.Equal("http://127.0.0.1:16100", args[args.IndexOf("--listen-client-urls") + 1]);
        Assert.Equal("http://127.0.0.1:16101", args[args.IndexOf("--listen-peer-urls") + 1]);
        Assert.Equal("etcd-1=http://127.0.0.1:16101", args[args.IndexOf("--initial-cluster") + 1]);
        Assert.Equal("pgha-tree", args[args.IndexOf("--initial-cluster-token") + 1]);
    }
}

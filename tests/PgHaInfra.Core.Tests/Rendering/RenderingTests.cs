using System.Text.RegularExpressions;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Core.Tests.Rendering;

/// <summary>Every topology's rendered files, checked against PostgreSQL 15's parameter names and syntax.</summary>
public sealed partial class RenderingTests
{
    public static TheoryData<string, string> TopologiesAndTargets
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var topology in TopologyStacks.All.Keys)
            {
                data.Add(topology, "docker");
                data.Add(topology, "local");
            }

            return data;
        }
    }

    private static ClusterPlacement Placement(ClusterSpec spec, string target) => target == "docker"
        ? ClusterPlacement.DockerNetwork(spec)
        : ClusterPlacement.Loopback(spec, "/var/lib/pgha/state/replication.pgpass", "/var/lib/pgha/state/run");

    private static IReadOnlyList<ConfLine> Conf(ClusterSpec spec, ClusterPlacement placement, string node) =>
        ConfLine.ParseFile(PostgresConf.Render(spec, placement, spec.Node(node)));

    private static string? Setting(IReadOnlyList<ConfLine> conf, string name) => conf.SingleOrDefault(l => l.Name == name)?.Value;

    [Theory]
    [MemberData(nameof(TopologiesAndTargets))]
    public void Every_line_is_a_pg15_parameter_with_valid_syntax_and_a_reason(string topology, string target)
    {
        var spec = TopologyStacks.Load(topology);
        var placement = Placement(spec, target);
        foreach (var node in spec.Nodes)
        {
            var conf = Conf(spec, placement, node.Name);

            Assert.NotEmpty(conf);
            Assert.All(conf, l => Assert.True(Pg15Parameters.Names.Contains(l.Name), $"{l.Name} is not a PostgreSQL 15 parameter (per {Pg15Parameters.From})"));
            Assert.Equal(conf.Count, conf.Select(l => l.Name).Distinct().Count());
            Assert.All(conf, l => Assert.True(l.Comment.Length > 10, $"{l.Name} has no reason"));
            Assert.Equal(PostgresConf.Settings(spec, placement, node).Select(s => (s.Name, s.Unquoted)), conf.Select(l => (l.Name, l.Value)));
        }
    }

    [Theory]
    [MemberData(nameof(TopologiesAndTargets))]
    public void Replication_essentials_are_on_every_node_and_the_same_everywhere(string topology, string target)
    {
        var spec = TopologyStacks.Load(topology);
        var placement = Placement(spec, target);
        var confs = spec.Nodes.ToDictionary(n => n.Name, n => Conf(spec, placement, n.Name));
        var expectedSenders = spec.ReplicaCount == 0 ? 5 : spec.ReplicaCount + 4;

        foreach (var (_, conf) in confs)
        {
            Assert.Equal("replica", Setting(conf, "wal_level"));
            Assert.Equal("on", Setting(conf, "hot_standby"));
            Assert.Equal("on", Setting(conf, "hot_standby_feedback"));
            Assert.Equal("on", Setting(conf, "wal_log_hints"));
            Assert.Equal("scram-sha-256", Setting(conf, "password_encryption"));
            Assert.Equal(expectedSenders.ToString(System.Globalization.CultureInfo.InvariantCulture), Setting(conf, "max_wal_senders"));
            Assert.True(int.Parse(Setting(conf, "max_wal_senders")!, System.Globalization.CultureInfo.InvariantCulture) >= Math.Max(3, spec.ReplicaCount + 2));
            Assert.True(int.Parse(Setting(conf, "max_replication_slots")!, System.Globalization.CultureInfo.InvariantCulture) >= spec.ReplicaCount);
            Assert.Equal(spec.Wal.KeepSize.ToPostgres(), Setting(conf, "wal_keep_size"));
        }

        // A standby refuses to start with fewer senders or slots than its primary, and any node may be promoted.
        Assert.Single(confs.Values.Select(c => Setting(c, "max_wal_senders")).Distinct());
        Assert.Single(confs.Values.Select(c => Setting(c, "max_replication_slots")).Distinct());
        Assert.Equal(spec.Nodes.Select(n => n.Name), confs.Values.Select(c => Setting(c, "cluster_name")));
    }

    [Theory]
    [MemberData(nameof(TopologiesAndTargets))]
    public void Replicas_stream_from_their_upstream_through_a_passfile_and_their_own_slot(string topology, string target)
    {
        var spec = TopologyStacks.Load(topology);
        var placement = Placement(spec, target);
        foreach (var node in spec.Nodes)
        {
            var conf = Conf(spec, placement, node.Name);
            if (spec.IsPrimary(node))
            {
                Assert.Null(Setting(conf, "primary_conninfo"));
                Assert.Null(Setting(conf, "primary_slot_name"));
                Assert.Null(Setting(conf, "recovery_min_apply_delay"));
                continue;
            }

            var upstream = spec.UpstreamOf(node)!;
            var conninfo = LibpqConnInfo.Parse(Setting(conf, "primary_conninfo")!);
            Assert.Equal(["application_name", "connect_timeout", "host", "passfile", "port", "user"], conninfo.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(placement.AddressOf(upstream).Host, conninfo["host"]);
            Assert.Equal(placement.AddressOf(upstream).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), conninfo["port"]);
            Assert.Equal(spec.Replication.User, conninfo["user"]);
            Assert.Equal(placement.PassfilePath, conninfo["passfile"]);
            Assert.Equal(node.Name, conninfo["application_name"]);
            Assert.DoesNotContain("password", Setting(conf, "primary_conninfo")!, StringComparison.OrdinalIgnoreCase);

            Assert.Equal(node.SlotName, Setting(conf, "primary_slot_name"));
            Assert.Matches("^[a-z0-9_]{1,63}$", node.SlotName);
            Assert.Equal("latest", Setting(conf, "recovery_target_timeline"));
            Assert.Equal(node.IsDelayed ? DurationText.ToPostgres(node.ApplyDelay!.Value) : null, Setting(conf, "recovery_min_apply_delay"));
        }
    }

    [Theory]
    [MemberData(nameof(TopologiesAndTargets))]
    public void Each_node_creates_one_slot_per_direct_downstream_and_only_the_primary_creates_the_role_and_canary_table(string topology, string target)
    {
        var spec = TopologyStacks.Load(topology);
        var files = NodeFiles.RenderCluster(spec, Placement(spec, target), BootstrapSql.VerifierPlaceholder);

        Assert.Equal(spec.InCreationOrder().Select(n => n.Name), files.Select(f => f.Node.Name));
        foreach (var node in files)
        {
            var sql = node[NodeFiles.BootstrapSql];
            var slots = SlotCreation().Matches(sql).Select(m => m.Groups[1].Value);
            Assert.Equal(spec.DownstreamsOf(node.Node).Select(d => d.SlotName).Order(StringComparer.Ordinal), slots.Order(StringComparer.Ordinal));
            Assert.Equal(node.IsPrimary, sql.Contains("CREATE ROLE \"replicator\" WITH LOGIN REPLICATION", StringComparison.Ordinal));
            Assert.All(BootstrapSql.CanaryTable, statement => Assert.Equal(node.IsPrimary, sql.Contains(statement + ";\n", StringComparison.Ordinal)));
            Assert.DoesNotContain("SUPERUSER ", sql.Replace("NOSUPERUSER", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Equal(!node.IsPrimary, node.Files.Any(f => f.Name == NodeFiles.StandbySignal));
        }

        // Slots for every replica exist somewhere, exactly once: on its upstream.
        var all = files.SelectMany(f => SlotCreation().Matches(f[NodeFiles.BootstrapSql]).Select(m => m.Groups[1].Value)).ToList();
        Assert.Equal(spec.Replicas.Select(r => r.SlotName).Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_cascading_replica_s_slot_is_held_by_its_upstream_replica()
    {
        var spec = TopologyStacks.Load("cascading");
        var files = NodeFiles.RenderCluster(spec, ClusterPlacement.DockerNetwork(spec), BootstrapSql.VerifierPlaceholder).ToDictionary(f => f.Node.Name);

        Assert.Equal(["pg_2"], SlotCreation().Matches(files["pg-1"][NodeFiles.BootstrapSql]).Select(m => m.Groups[1].Value));
        Assert.Equal(["pg_3"], SlotCreation().Matches(files["pg-2"][NodeFiles.BootstrapSql]).Select(m => m.Groups[1].Value));
        Assert.Equal(["pg_4"], SlotCreation().Matches(files["pg-3"][NodeFiles.BootstrapSql]).Select(m => m.Groups[1].Value));
        Assert.Empty(SlotCreation().Matches(files["pg-4"][NodeFiles.BootstrapSql]));
        Assert.Contains("host=pg-3.feed.pgha.internal", files["pg-4"][NodeFiles.PostgresqlConf], StringComparison.Ordinal);
        // WAL is reserved at creation (the second argument), and creation is idempotent.
        Assert.Contains("pg_create_physical_replication_slot('pg_3', true) WHERE NOT EXISTS", files["pg-2"][NodeFiles.BootstrapSql], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sync-first", "FIRST 2 (\"pg-3\", \"pg-2\", \"pg-4\")", "remote_apply")]
    [InlineData("sync-any", "ANY 1 (\"pg-2\", \"pg-3\")", "on")]
    public void Synchronous_standby_names_follows_pg15_syntax_on_the_primary_only(string topology, string expected, string commit)
    {
        var spec = TopologyStacks.Load(topology);
        var placement = ClusterPlacement.DockerNetwork(spec);

        var primary = Conf(spec, placement, spec.Primary);
        var names = Setting(primary, "synchronous_standby_names")!;

        Assert.Equal(expected, names);
        var match = SynchronousStandbyNames().Match(names);
        Assert.True(match.Success, names);
        var listed = match.Groups["name"].Captures.Select(c => c.Value).ToList();
        Assert.True(int.Parse(match.Groups["k"].Value, System.Globalization.CultureInfo.InvariantCulture) <= listed.Count);
        Assert.All(listed, n => Assert.Equal(spec.Primary, spec.UpstreamOf(spec.Node(n))!.Name));
        Assert.All(listed, n => Assert.False(spec.Node(n).IsDelayed));
        Assert.Equal(commit, Setting(primary, "synchronous_commit"));
        Assert.All(spec.Replicas, r => Assert.Null(Setting(Conf(spec, placement, r.Name), "synchronous_standby_names")));
    }

    [Theory]
    [InlineData("single")]
    [InlineData("async")]
    [InlineData("cascading")]
    [InlineData("delayed")]
    public void Asynchronous_topologies_render_no_synchronous_settings(string topology)
    {
        var spec = TopologyStacks.Load(topology);
        var text = string.Concat(spec.Nodes.Select(n => PostgresConf.Render(spec, ClusterPlacement.DockerNetwork(spec), n)));

        Assert.DoesNotContain("synchronous_standby_names", text, StringComparison.Ordinal);
        Assert.DoesNotContain("synchronous_commit", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TopologiesAndTargets))]
    public void Pg_hba_allows_replication_only_to_the_replication_user_from_the_cluster_network_with_scram(string topology, string target)
    {
        var spec = TopologyStacks.Load(topology);
        var placement = Placement(spec, target);
        var rows = PgHba.Render(spec, placement).Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();

        Assert.All(rows, r => Assert.Contains(r[0], new[] { "local", "host" }));
        Assert.All(rows, r => Assert.Contains(r[^1], new[] { "peer", "scram-sha-256", "reject" }));
        var replication = rows.Where(r => r[1] == "replication").ToList();
        Assert.NotEmpty(replication);
        Assert.All(replication, r => Assert.Equal(["host", "replication", spec.Replication.User], r[..3]));
        Assert.All(replication, r => Assert.Contains(r[3], placement.AllowedNetworks));
        Assert.All(replication, r => Assert.Equal("scram-sha-256", r[4]));
        Assert.All(rows.Where(r => r[0] == "host"), r => Assert.Contains(r[3], placement.AllowedNetworks));
        Assert.All(placement.AllowedNetworks, n => Assert.True(System.Net.IPNetwork.TryParse(n, out _), n));
        // The replication user may stream but not query: its reject row comes before the catch-all row.
        var reject = rows.FindIndex(r => r[1] == "all" && r[2] == spec.Replication.User && r[^1] == "reject");
        var all = rows.FindIndex(r => r[0] == "host" && r[1] == "all" && r[2] == "all");
        Assert.InRange(reject, 0, all - 1);
    }

    [Theory]
    [InlineData("256MB", "256MB")]
    [InlineData("200", "200")]
    [InlineData("0.9", "0.9")]
    [InlineData("-1", "-1")]
    [InlineData("pg_stat_statements", "pg_stat_statements")]
    [InlineData("pg_stat_statements,auto_explain", "'pg_stat_statements,auto_explain'")]
    [InlineData("1-2", "'1-2'")]
    [InlineData("1.5.3", "'1.5.3'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("C:\\temp\\new", "'C:\\\\temp\\\\new'")]
    [InlineData("'quoted'", "'''quoted'''")]
    [InlineData("", "''")]
    [InlineData("%m [%p] ", "'%m [%p] '")]
    public void Overrides_are_written_so_the_server_reads_back_exactly_the_stack_s_value(string value, string rendered)
    {
        var spec = TopologyStacks.Load("async") with { Parameters = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, string>("log_line_prefix", value)]) };

        var conf = Conf(spec, ClusterPlacement.DockerNetwork(spec), "pg-1");

        var line = Assert.Single(conf, l => l.Name == "log_line_prefix");
        Assert.Equal(rendered, line.RawValue);
        Assert.Equal(value, line.Value);
    }

    [Fact]
    public void An_override_of_a_derived_setting_keeps_its_place_and_says_so()
    {
        var spec = TopologyStacks.Load("async") with
        {
            Parameters = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                [new KeyValuePair<string, string>("max_wal_senders", "20"), new KeyValuePair<string, string>("shared_buffers", "256MB")]),
        };

        var settings = PostgresConf.Settings(spec, ClusterPlacement.DockerNetwork(spec), spec.PrimaryNode);

        var senders = Assert.Single(settings, s => s.Name == "max_wal_senders");
        Assert.Equal("20", senders.Value);
        Assert.Contains("pgha would render 6", senders.Reason, StringComparison.Ordinal);
        Assert.Equal("shared_buffers", settings[^1].Name);
    }

    [Fact]
    public void Rendering_is_deterministic_and_free_of_secrets_and_timestamps()
    {
        var spec = TopologyStacks.Load("sync-any");
        string Render() => string.Concat(NodeFiles.RenderCluster(spec, ClusterPlacement.DockerNetwork(spec), BootstrapSql.VerifierPlaceholder)
            .SelectMany(n => n.Files.Select(f => $"{n.Node.Name}/{f.Name}\n{f.Content}")));

        var first = Render();

        Assert.Equal(first, Render());
        Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2}", first);
        Assert.DoesNotContain("password=", first, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"[ \t]\n", first); // no trailing whitespace: reviewers diff this output
    }

    [Fact]
    public void A_single_node_still_renders_three_senders_plus_spare_and_says_why()
    {
        var spec = TopologyStacks.Load("single");

        var senders = Assert.Single(PostgresConf.Settings(spec, ClusterPlacement.DockerNetwork(spec), spec.PrimaryNode), s => s.Name == "max_wal_senders");

        Assert.Equal("5", senders.Value);
        Assert.StartsWith("never below 3", senders.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_replication_role_is_created_from_a_verifier_not_a_password()
    {
        var spec = TopologyStacks.Load("async");
        var verifier = PgHaInfra.Security.ScramVerifier.Compute("s3cret-Password", new byte[16]);

        var sql = BootstrapSql.ReplicationRole(spec, verifier);

        Assert.Contains($"PASSWORD '{verifier}'", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Password", sql, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"pg_create_physical_replication_slot\('([a-z0-9_]+)', true\)")]
    private static partial Regex SlotCreation();

    // PG 15 docs 20.6.1: [FIRST] num_sync ( standby_name [, ...] ) | ANY num_sync ( standby_name [, ...] ); names double-quoted.
    [GeneratedRegex(@"^(FIRST|ANY) (?<k>[1-9]\d*) \(""(?<name>[a-z][a-z0-9-]*)""(, ""(?<name>[a-z][a-z0-9-]*)"")*\)$")]
    private static partial Regex SynchronousStandbyNames();
}

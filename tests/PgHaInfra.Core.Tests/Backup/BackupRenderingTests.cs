using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Core.Tests.Backup;

/// <summary>What the backup keys render: archiving in postgresql.conf, restore_command on replicas, and pgbackrest.conf per node.</summary>
public sealed class BackupRenderingTests
{
    private const string Nodes = "    - name: pg-1\n      port: 15432\n    - name: pg-2\n      port: 15433\n    - name: pg-dr\n      port: 15434\n      delay: 30s\n";

    private static ClusterSpec Spec(string backup = "  pg-ha-infra:backup:\n    repository:\n      path: /srv/repo\n    fromStandby: true\n")
    {
        var (spec, errors) = StackFixtures.Parse("config:\n  pg-ha-infra:cluster: main\n  pg-ha-infra:topology: async\n  pg-ha-infra:nodes:\n" + Nodes + backup);
        Assert.Empty(errors);
        return spec!;
    }

    private static ClusterPlacement Placement(ClusterSpec spec) =>
        ClusterPlacement.Loopback(spec, "/state/secrets/replication.pgpass", "/state/run") with
        {
            Backup = spec.Backup is null ? null : BackupPlacement.UnderRoot(spec, "/state/backup", n => $"/state/data/{n}", "/usr/bin/pgbackrest"),
        };

    private static Dictionary<string, string> Settings(ClusterSpec spec, string node) =>
        PostgresConf.Settings(spec, Placement(spec), spec.Node(node)).ToDictionary(s => s.Name, s => s.Value);

    [Fact]
    public void Without_backup_keys_nothing_about_archiving_is_rendered()
    {
        var spec = Spec(backup: "");
        foreach (var node in spec.Nodes)
        {
            var text = PostgresConf.Render(spec, Placement(spec), node);
            Assert.DoesNotContain("archive", text, StringComparison.Ordinal);
            Assert.DoesNotContain("restore_command", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_node_archives_through_its_own_pgbackrest_conf()
    {
        var spec = Spec();
        foreach (var node in spec.Nodes)
        {
            var settings = Settings(spec, node.Name);
            Assert.Equal("on", settings["archive_mode"]);
            Assert.Equal($"'/usr/bin/pgbackrest --config=/state/backup/{node.Name}/pgbackrest.conf --stanza=main archive-push %p'", settings["archive_command"]);
        }
    }

    [Fact]
    public void Replicas_and_the_delayed_replica_fetch_missing_WAL_from_the_archive_and_the_primary_does_not()
    {
        var spec = Spec();
        Assert.False(Settings(spec, "pg-1").ContainsKey("restore_command"));
        Assert.Equal("'/usr/bin/pgbackrest --config=/state/backup/pg-dr/pgbackrest.conf --stanza=main archive-get %f \"%p\"'", Settings(spec, "pg-dr")["restore_command"]);
        Assert.Contains("restore_command", Settings(spec, "pg-2").Keys);
    }

    [Fact]
    public void A_node_s_pgbackrest_conf_names_only_itself_with_its_own_lock_and_spool()
    {
        var spec = Spec();
        var text = PgBackRestConf.ForNode(spec, Placement(spec), spec.Node("pg-2"));
        var lines = text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToList();
        Assert.Contains("repo1-path=/srv/repo", lines);
        Assert.Contains("repo1-retention-full=2", lines);
        Assert.Contains("compress-type=lz4", lines);
        Assert.Contains("archive-async=y", lines);
        Assert.Contains("spool-path=/state/backup/pg-2/spool", lines);
        Assert.Contains("lock-path=/state/backup/pg-2/lock", lines);
        Assert.Contains("[main]", lines);
        Assert.Contains("pg1-path=/state/data/pg-2", lines);
        Assert.Contains("pg1-port=15433", lines);
        Assert.Contains("pg1-socket-path=/state/run", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("pg2-", StringComparison.Ordinal));
        Assert.DoesNotContain("backup-standby=y", lines);
    }

    [Fact]
    public void A_backup_from_a_standby_names_the_primary_first_and_the_standby_second()
    {
        var spec = Spec();
        var lines = PgBackRestConf.ForBackup(spec, Placement(spec), spec.Node("pg-2")).Split('\n');
        Assert.Contains("backup-standby=y", lines);
        Assert.Contains("pg1-path=/state/data/pg-1", lines);
        Assert.Contains("pg2-path=/state/data/pg-2", lines);
        Assert.Contains("lock-path=/state/backup/_pgha/lock", lines);
    }

    [Fact]
    public void After_a_failover_the_new_primary_archives_with_the_same_command_and_the_old_one_restores()
    {
        var spec = Spec().WithPrimary("pg-2");
        Assert.False(Settings(spec, "pg-2").ContainsKey("restore_command"));
        Assert.Contains("restore_command", Settings(spec, "pg-1").Keys);
        Assert.Equal(Settings(Spec(), "pg-2")["archive_command"], Settings(spec, "pg-2")["archive_command"]);
    }

    [Fact]
    public void S3_keys_become_repo1_s3_options()
    {
        var spec = Spec("  pg-ha-infra:backup:\n    repository:\n      s3:\n        bucket: b1\n        endpoint: minio:9000\n        region: us-east-1\n        key: K\n        keySecret: S\n        uriStyle: path\n");
        var lines = PgBackRestConf.ForNode(spec, Placement(spec), spec.Node("pg-1")).Split('\n');
        Assert.Contains("repo1-type=s3", lines);
        Assert.Contains("repo1-s3-bucket=b1", lines);
        Assert.Contains("repo1-s3-endpoint=minio:9000", lines);
        Assert.Contains("repo1-s3-uri-style=path", lines);
        Assert.Contains("repo1-s3-key-secret=S", lines);
        Assert.Contains("repo1-path=/pgbackrest", lines);
    }
}

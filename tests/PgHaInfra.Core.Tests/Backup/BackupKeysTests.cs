using PgHaInfra.Spec;
using PgHaInfra.Stack;

namespace PgHaInfra.Core.Tests.Backup;

/// <summary>The backup keys: read into <see cref="BackupSpec"/>, and every mistake refused naming its key, value and what is allowed.</summary>
public sealed class BackupKeysTests
{
    private static string Stack(string backup, string nodes = "    - name: pg-1\n      port: 15432\n    - name: pg-2\n      port: 15433\n") =>
        "config:\n  pg-ha-infra:topology: async\n  pg-ha-infra:nodes:\n" + nodes + "  pg-ha-infra:backup:\n" + backup;

    private static StackError SingleError(string yaml)
    {
        var (spec, errors) = StackFixtures.Parse(yaml);
        Assert.Null(spec);
        return Assert.Single(errors);
    }

    [Fact]
    public void A_full_backup_section_is_read()
    {
        var (spec, errors) = StackFixtures.Parse(Stack("""
                repository:
                  path: /var/lib/pgbackrest
                retention:
                  full: 3
                  diff: 6
                compress:
                  type: zst
                  level: 3
                fromStandby: true
                archiveAsync: false

            """));
        Assert.Empty(errors);
        Assert.Equal(new BackupSpec(new BackupRepository(RepositoryKind.Path, Path: "/var/lib/pgbackrest"), 3, 6, new BackupCompression(CompressType.Zst, 3), FromStandby: true, ArchiveAsync: false), spec!.Backup);
    }

    [Fact]
    public void Defaults_are_two_fulls_lz4_from_the_primary_with_asynchronous_archiving()
    {
        var (spec, errors) = StackFixtures.Parse(Stack("    repository:\n      path: /srv/repo\n"));
        Assert.Empty(errors);
        Assert.Equal(new BackupSpec(new BackupRepository(RepositoryKind.Path, Path: "/srv/repo"), 2, null, BackupCompression.Default, FromStandby: false, ArchiveAsync: true), spec!.Backup);
    }

    [Fact]
    public void A_stack_without_backup_keys_has_no_backup()
    {
        var (spec, errors) = StackFixtures.Parse("config:\n  pg-ha-infra:topology: single\n  pg-ha-infra:nodes:\n    - name: pg-1\n      port: 15432\n");
        Assert.Empty(errors);
        Assert.Null(spec!.Backup);
    }

    [Fact]
    public void S3_keys_are_read_and_never_printed()
    {
        var (spec, errors) = StackFixtures.Parse(Stack("""
                repository:
                  s3:
                    bucket: pgha-backups
                    endpoint: minio.internal:9000
                    region: us-east-1
                    key: AKIAEXAMPLE
                    keySecret: s3cr3t-value
                    uriStyle: path
                    verifyTls: false

            """));
        Assert.Empty(errors);
        var s3 = spec!.Backup!.Repository.S3!;
        Assert.Equal(("pgha-backups", "minio.internal:9000", "us-east-1", "/pgbackrest", "path", false), (s3.Bucket, s3.Endpoint, s3.Region, s3.Path, s3.UriStyle, s3.VerifyTls));
        Assert.Equal("s3cr3t-value", s3.KeySecret);
        Assert.DoesNotContain("s3cr3t-value", spec.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLE", spec.Backup.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string?, string, string> BadKeys => new()
    {
        // backup text, key, value, problem, allowed (start)
        { "    retention:\n      full: 2\n", "pg-ha-infra:backup.repository", null, "is required", "exactly one of path" },
        { "    repository:\n      path: /a\n      volume: v\n", "pg-ha-infra:backup.repository", "a mapping", "names 2 repositories (path, volume)", "exactly one of path" },
        { "    repository:\n      path: relative/dir\n", "pg-ha-infra:backup.repository.path", "\"relative/dir\"", "is not an absolute path without spaces", "an absolute directory" },
        { "    repository:\n      volume: \"-bad\"\n", "pg-ha-infra:backup.repository.volume", "\"-bad\"", "is not a Docker volume name", "letters, digits" },
        { "    repository:\n      path: /r\n    retention:\n      full: 0\n", "pg-ha-infra:backup.retention.full", "\"0\"", "is out of range or not a whole number", "a whole number from 1 to 9999999" },
        { "    repository:\n      path: /r\n    compress:\n      type: zip\n", "pg-ha-infra:backup.compress.type", "\"zip\"", "is not a valid type", "none, gz, bz2, lz4, zst" },
        { "    repository:\n      path: /r\n    compress:\n      type: gz\n      level: 12\n", "pg-ha-infra:backup.compress.level", "\"12\"", "is out of range or not a whole number", "a whole number from 0 to 9" },
        { "    repository:\n      path: /r\n    compress:\n      type: none\n      level: 1\n", "pg-ha-infra:backup.compress.level", "\"1\"", "has no meaning with compress.type none", "no level" },
        { "    repository:\n      path: /r\n    fromStandby: yes please\n", "pg-ha-infra:backup.fromStandby", "\"yes please\"", "is not true or false", "true, false" },
        { "    repository:\n      path: /r\n    retension:\n      full: 2\n", "pg-ha-infra:backup.retension", null, "is not a known key", "repository, retention" },
        { "    repository:\n      s3:\n        bucket: b\n        endpoint: e\n        region: r\n        key: k\n", "pg-ha-infra:backup.repository.s3.keySecret", null, "is required", "the secret access key" },
        { "    repository:\n      s3:\n        bucket: b\n        endpoint: e\n        region: r\n        key: k\n        keySecret: k2\n        uriStyle: virtual\n", "pg-ha-infra:backup.repository.s3.uriStyle", "\"virtual\"", "is not a URI style", "host, path" },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void A_bad_backup_key_is_refused_naming_the_key_value_and_what_is_allowed(string backup, string key, string? value, string problem, string allowed)
    {
        var error = SingleError(Stack(backup));
        Assert.Equal("stacks/Pulumi.test.yaml", error.Source);
        Assert.Equal(key, error.Key);
        Assert.Equal(value, error.Value);
        Assert.Equal(problem, error.Problem);
        Assert.StartsWith(allowed, error.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_with_a_space_is_refused_without_echoing_it()
    {
        var error = SingleError(Stack("    repository:\n      s3:\n        bucket: b\n        endpoint: e\n        region: r\n        key: k\n        keySecret: \"two words\"\n"));
        Assert.Equal("pg-ha-infra:backup.repository.s3.keySecret", error.Key);
        Assert.Null(error.Value);
        Assert.DoesNotContain("two words", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Archive_parameters_are_refused_when_pgha_archives()
    {
        var error = SingleError(Stack("    repository:\n      path: /r\n") + "  pg-ha-infra:parameters:\n    archive_command: cp %p /mnt/%f\n");
        Assert.Equal("pg-ha-infra:parameters.archive_command", error.Key);
        Assert.StartsWith("is managed by pgha when backup is set", error.Problem, StringComparison.Ordinal);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void From_standby_needs_a_replica_without_delay()
    {
        var error = SingleError(Stack("    repository:\n      path: /r\n    fromStandby: true\n", "    - name: pg-1\n      port: 15432\n    - name: pg-dr\n      port: 15433\n      delay: 1h\n"));
        Assert.Equal("pg-ha-infra:backup.fromStandby", error.Key);
        Assert.StartsWith("needs a standby without a delay", error.Problem, StringComparison.Ordinal);
    }
}

using static PgHaInfra.Core.Tests.Hostile.HostileStacks;

namespace PgHaInfra.Core.Tests.Hostile;

/// <summary>The other side of the corpus: near neighbours of hostile input that are fine and must stay accepted.</summary>
public sealed class AcceptedInputTests
{
    public static TheoryData<string, string> Accepted => new()
    {
        { "keys of other namespaces, nested, pass untouched", Base("  docker:host: ssh://deploy@db\n  aws:tags:\n    team: [db, ha]\n  random:x: &a [1, 2]\n  random:y: *a") },
        { "an extension's parameter", Param("pg_stat_statements.max", Q("10000")) },
        { "a parameter in another case than the server's", Param("datestyle", Q("iso, mdy")) },
        { "a size with a blank before the unit", Param("shared_buffers", Q("256 MB")) },
        { "a fractional size", Param("work_mem", "1.5MB") },
        { "a boolean prefix", Param("autovacuum", "t") },
        { "an enum in upper case", Param("huge_pages", "TRY") },
        { "a real with an exponent", Param("random_page_cost", Q("1.1e0")) },
        { "-1 where the server allows it", Param("log_min_duration_statement", Q("-1")) },
        { "a time unit converted to the base unit", Param("checkpoint_timeout", "15min") },
        { "hot_standby on by another word", Param("hot_standby", "yes") },
        { "default_transaction_read_only off", Param("default_transaction_read_only", "off") },
        { "a private /8", Section("network", "subnet", "10.0.0.0/8") },
        { "an IPv6 unique local network", Section("network", "subnet", Q("fd00:89::/64")) },
        { "the smallest IPv4 subnet for three nodes", Section("network", "subnet", "10.89.0.0/29") },
        { "postgres.version alone picks its image", Section("postgres", "version", "16") },
        { "an image whose tag names no version", Section("postgres", "image", "postgres:latest") },
        { "an image by digest", Section("postgres", "image", "postgres@sha256:" + new string('a', 64)) },
        { "a registry with a port", Section("postgres", "image", "registry.local:5000/team/postgres:15.4") },
        { "a delay at PostgreSQL's limit", Node2("delay: 24d") },
        { "replication user beside a renamed superuser", Stack2("  pg-ha-infra:replication:\n    user: postgres\n    superuser: admin") },
    };

    private static string Stack2(string top) => Base(top);

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepted_input_reads_without_error(string name, string yaml)
    {
        var (spec, errors) = StackFixtures.Parse(yaml);

        Assert.True(errors.IsEmpty, $"{name}: {string.Join("\n", errors)}");
        Assert.NotNull(spec);
    }

    [Fact]
    public void Postgres_version_alone_picks_the_matching_official_image()
    {
        var (spec, _) = StackFixtures.Parse(Section("postgres", "version", "16"));

        Assert.Equal("postgres:16-bookworm", spec!.Postgres.Image);
    }
}

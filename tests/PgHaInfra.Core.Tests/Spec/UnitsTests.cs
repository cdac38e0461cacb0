using PgHaInfra.Core.Tests.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Core.Tests.Spec;

public sealed class UnitsTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData("1GB", 1024 * MiB)]
    [InlineData("1 GiB", 1024 * MiB)]
    [InlineData("512MB", 512 * MiB)]
    [InlineData("512MiB", 512 * MiB)]
    [InlineData("64kB", 64 * 1024)]
    [InlineData("2TB", 2L * 1024 * 1024 * MiB)]
    [InlineData("100", 100)]
    [InlineData(" 8 MB ", 8 * MiB)]
    public void Sizes_parse_as_postgresql_reads_them(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var size));
        Assert.Equal(bytes, size.Bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 gigabyte")]
    [InlineData("GB")]
    [InlineData("-1GB")]
    [InlineData("1.5GB")]
    [InlineData("99999999999TB")]
    public void Non_sizes_are_refused(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Theory]
    [InlineData(1024 * MiB, "1GB")]
    [InlineData(1536 * MiB, "1536MB")]
    [InlineData(512 * MiB, "512MB")]
    [InlineData(1024, "1kB")]
    [InlineData(1000, "1kB")]
    [InlineData(1025, "2kB")]
    public void Sizes_print_in_the_largest_exact_postgresql_unit_never_smaller(long bytes, string text)
    {
        Assert.Equal(text, new ByteSize(bytes).ToPostgres());
        Assert.True(ByteSize.TryParse(text, out var back));
        Assert.True(back.Bytes >= bytes);
    }

    [Theory]
    [InlineData("60s", 60_000)]
    [InlineData("1 minute", 60_000)]
    [InlineData("1min", 60_000)]
    [InlineData("2 minutes", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1 hour", 3_600_000)]
    [InlineData("500ms", 500)]
    [InlineData("1d", 86_400_000)]
    [InlineData("30 seconds", 30_000)]
    public void Durations_parse_the_way_people_write_them(string text, long milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("60")]
    [InlineData("a minute")]
    [InlineData("1 fortnight")]
    [InlineData("1.5h")]
    [InlineData("-1s")]
    public void Non_durations_are_refused(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Theory]
    [InlineData(3_600_000, "1h")]
    [InlineData(5_400_000, "90min")]
    [InlineData(90_000, "90s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(86_400_000, "1d")]
    public void Durations_round_trip_through_postgresql_units(long milliseconds, string text)
    {
        var duration = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(text, DurationText.ToPostgres(duration));
        Assert.True(DurationText.TryParse(text, out var back));
        Assert.Equal(duration, back);
    }

    [Fact]
    public void A_stack_with_every_spelling_of_sizes_and_durations_loads()
    {
        var spec = TopologyStacks.Valid("""
            config:
              pg-ha-infra:topology: async
              pg-ha-infra:nodes:
                - name: pg-1
                  port: 15432
                - name: pg-2
                  port: 15433
                  delay: 1h
              pg-ha-infra:wal:
                keepSize: 512MB
                maxSlotKeepSize: 1 GiB
              pg-ha-infra:lag:
                warningBytes: 512MB
                criticalBytes: 1GB
                warningTime: 30s
                criticalTime: 1 minute
            """);

        Assert.Equal(ByteSize.FromMegabytes(512), spec.Wal.KeepSize);
        Assert.Equal(ByteSize.FromGigabytes(1), spec.Wal.MaxSlotKeepSize);
        Assert.Equal(ByteSize.FromGigabytes(1), spec.Lag.CriticalBytes);
        Assert.Equal(TimeSpan.FromSeconds(60), spec.Lag.CriticalTime);
        Assert.Equal(TimeSpan.FromHours(1), spec.Node("pg-2").ApplyDelay);
    }

    [Fact]
    public void Defaults_follow_the_seed()
    {
        var spec = TopologyStacks.Load("async");

        Assert.Equal(ByteSize.FromGigabytes(1), spec.Lag.CriticalBytes);
        Assert.Equal(TimeSpan.FromMinutes(1), spec.Lag.CriticalTime);
        Assert.True(spec.Lag.WarningBytes < spec.Lag.CriticalBytes);
        Assert.True(spec.Lag.WarningTime < spec.Lag.CriticalTime);
        Assert.Equal(FailoverMode.Manual, spec.Failover.Mode);
        Assert.Equal(15, spec.Postgres.Version);
        Assert.Equal("replicator", spec.Replication.User);
        Assert.Equal("shop", spec.Name);
        Assert.Equal("pg-1", spec.Primary);
        Assert.Equal("pg-write.shop.pgha.internal", spec.Endpoints.Write);
        Assert.Equal("pg-read.shop.pgha.internal", spec.Endpoints.Read);
        // The subnet is derived from the cluster name (stable), so stacks without a network key do not collide.
        Assert.Equal(new NetworkSpec("pgha-shop", "10.89.153.0/24"), spec.Network);
        Assert.Equal(DockerSpec.Default, spec.Docker);
        Assert.Equal(DeploymentEnvironment.Development, spec.Environment);
    }

    [Fact]
    public void Unlimited_slot_retention_is_spelled_unlimited_or_minus_one()
    {
        const string Yaml = """
            config:
              pg-ha-infra:topology: async
              pg-ha-infra:nodes:
                - name: pg-1
                  port: 15432
                - name: pg-2
                  port: 15433
              pg-ha-infra:wal:
                maxSlotKeepSize: {0}
            """;

        Assert.Null(TopologyStacks.Valid(Yaml.Replace("{0}", "unlimited", StringComparison.Ordinal)).Wal.MaxSlotKeepSize);
        Assert.Null(TopologyStacks.Valid(Yaml.Replace("{0}", "\"-1\"", StringComparison.Ordinal)).Wal.MaxSlotKeepSize);
    }
}

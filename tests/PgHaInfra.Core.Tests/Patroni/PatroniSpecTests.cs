using PgHaInfra.Spec;

namespace PgHaInfra.Core.Tests.Patroni;

/// <summary>failover.mode patroni: defaults, the fast profile, and the keyed errors for what Patroni 3.0.2 cannot do.</summary>
public sealed class PatroniSpecTests
{
    private static (ClusterSpec? Spec, System.Collections.Immutable.ImmutableArray<PgHaInfra.Stack.StackError> Errors) Parse(string yaml) => StackFixtures.Parse(yaml, "ha");

    [Fact]
    public void Defaults_are_patronis_own_timings_one_etcd_member_and_synchronous_mode_for_sync()
    {
        var (spec, errors) = Parse(PatroniStacks.SyncWith(PatroniStacks.Ports));

        Assert.Empty(errors);
        var patroni = spec!.Failover.Patroni!;
        Assert.Equal(FailoverMode.Patroni, spec.Failover.Mode);
        Assert.Equal(new PatroniTimings(30, 10, 10), patroni.Timings);
        Assert.Equal(1, patroni.Dcs.Members);
        Assert.True(patroni.SynchronousMode);
        Assert.False(patroni.SynchronousModeStrict);
        Assert.Equal(1024 * 1024, patroni.MaximumLagOnFailover.Bytes);
        Assert.Equal("off", patroni.Watchdog);
        Assert.Null(patroni.Haproxy);
    }

    [Fact]
    public void The_fast_profile_is_ttl_5_loop_wait_1_retry_timeout_2_and_explicit_keys_override_it()
    {
        var (fast, _) = Parse(PatroniStacks.SyncWith(PatroniStacks.Ports + "    profile: fast\n"));
        var (tuned, errors) = Parse(PatroniStacks.SyncWith(PatroniStacks.Ports + "    profile: fast\n    ttl: 8\n"));

        Assert.Equal(new PatroniTimings(5, 1, 2), fast!.Failover.Patroni!.Timings);
        Assert.Empty(errors);
        Assert.Equal(new PatroniTimings(8, 1, 2), tuned!.Failover.Patroni!.Timings);
    }

    [Fact]
    public void Quorum_any_is_refused_naming_patroni_3_0_2_and_the_version_that_brings_quorum()
    {
        var (spec, errors) = Parse(PatroniStacks.SyncWith(PatroniStacks.Ports, method: "any"));

        Assert.Null(spec);
        var error = Assert.Single(errors);
        Assert.Equal("pg-ha-infra:synchronous.method", error.Key);
        Assert.Equal("\"any\"", error.Value);
        Assert.Contains("Patroni 3.0.2 has only priority synchronous mode", error.Problem, StringComparison.Ordinal);
        Assert.Contains("Patroni 4.0.0", error.Problem, StringComparison.Ordinal);
        Assert.StartsWith("first", error.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void Timings_that_break_the_lease_rule_are_refused_with_the_arithmetic()
    {
        var (spec, errors) = Parse(PatroniStacks.SyncWith(PatroniStacks.Ports + "    ttl: 10\n    loopWait: 4\n    retryTimeout: 4\n"));

        Assert.Null(spec);
        var error = Assert.Single(errors);
        Assert.Equal("pg-ha-infra:failover.ttl", error.Key);
        Assert.Equal("\"10\"", error.Value);
        Assert.Contains("loop_wait + 2 x retry_timeout <= ttl (4 + 2 x 4 = 12 > ttl 10)", error.Problem, StringComparison.Ordinal);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void A_production_stack_needs_three_etcd_members()
    {
        var yaml = PatroniStacks.SyncWith(PatroniStacks.Ports + "      members: 1\n")
            .Replace("pg-ha-infra:cluster: ha", "pg-ha-infra:cluster: ha\n  pg-ha-infra:environment: production", StringComparison.Ordinal);
        var (_, errors) = Parse(yaml);

        var error = Assert.Single(errors);
        Assert.Equal("pg-ha-infra:failover.dcs.members", error.Key);
        Assert.Contains("single point of failure", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_defaults_to_three_members_and_a_required_watchdog()
    {
        var yaml = PatroniStacks.SyncWith(PatroniStacks.Ports)
            .Replace("pg-ha-infra:cluster: ha", "pg-ha-infra:cluster: ha\n  pg-ha-infra:environment: production", StringComparison.Ordinal);
        var (spec, errors) = Parse(yaml);

        Assert.Empty(errors);
        Assert.Equal(3, spec!.Failover.Patroni!.Dcs.Members);
        Assert.Equal("required", spec.Failover.Patroni.Watchdog);
    }

    [Fact]
    public void A_required_watchdog_with_the_fast_profile_is_refused_because_patroni_would_never_lead()
    {
        var (_, errors) = Parse(PatroniStacks.SyncWith(PatroniStacks.Ports + "    profile: fast\n    watchdog: required\n"));
        var (_, defaults) = Parse(PatroniStacks.SyncWith(PatroniStacks.Ports + "    watchdog: required\n"));

        var error = Assert.Single(errors);
        Assert.Equal("pg-ha-infra:failover.watchdog", error.Key);
        Assert.Contains("ttl - 5 s (safety_margin)", error.Problem, StringComparison.Ordinal);
        Assert.Contains("never take the lead", error.Problem, StringComparison.Ordinal);
        Assert.Empty(defaults);
    }

    [Fact]
    public void Ports_are_required_and_must_not_collide()
    {
        var (_, missing) = Parse(PatroniStacks.SyncWith(""));
        var (_, collide) = Parse(PatroniStacks.SyncWith("    restPort: 15434\n    dcs:\n      port: 16100\n"));

        Assert.Contains(missing, e => e.Key == "pg-ha-infra:failover.restPort" && e.Problem == "is required in patroni mode");
        Assert.Contains(missing, e => e.Key == "pg-ha-infra:failover.dcs.port" && e.Problem == "is required in patroni mode");
        var error = Assert.Single(collide);
        Assert.Equal("pg-ha-infra:failover.restPort", error.Key);
        Assert.Contains("puts pg-1's Patroni REST API on port 15434, which pg-3's PostgreSQL already uses", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Patroni_keys_in_manual_mode_are_refused()
    {
        var yaml = PatroniStacks.SyncWith("    ttl: 5\n").Replace("mode: patroni", "mode: manual", StringComparison.Ordinal);
        var (_, errors) = Parse(yaml);

        var error = Assert.Single(errors);
        Assert.Equal("pg-ha-infra:failover.ttl", error.Key);
        Assert.Contains("failover.mode is not patroni", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_watchdog_mode_gets_the_nearest_one()
    {
        var (_, errors) = Parse(PatroniStacks.SyncWith(PatroniStacks.Ports + "    watchdog: requird\n"));

        var error = Assert.Single(errors);
        Assert.Equal("pg-ha-infra:failover.watchdog", error.Key);
        Assert.Equal("\"required\"", error.Suggestion);
    }

    [Fact]
    public async Task The_repository_stack_local_ha_is_valid_with_the_fast_profile_and_haproxy()
    {
        var spec = await StackFixtures.LoadAsync("local-ha");

        Assert.Equal(new PatroniTimings(5, 1, 2), spec.Failover.Patroni!.Timings);
        Assert.True(spec.Failover.Patroni.SynchronousMode);
        Assert.NotNull(spec.Failover.Patroni.Haproxy);
    }
}

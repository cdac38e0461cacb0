using System.Collections.Immutable;
using PgHaInfra.Local;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Core.Tests.Robustness;

/// <summary>
/// A switchover or failover killed after record-primary and before pg_promote took effect leaves the recorded
/// primary in recovery and the old primary fenced. `up` finishes the recorded promotion (a promotion once requested is
/// treated as done), but never while another node accepts writes.
/// </summary>
public sealed class UnfinishedPromotionPlanningTests
{
    private static ObservedNode Node(string name, bool running, bool? inRecovery, string? fence = null) =>
        new(name, DataDirectoryState.Complete, null, running, inRecovery,
            ImmutableSortedDictionary<string, string>.Empty, ImmutableDictionary<string, string>.Empty,
            ImmutableDictionary<string, SettingContext>.Empty, ImmutableSortedDictionary<string, int?>.Empty)
        {
            HoldsCluster = true,
            Fence = fence,
        };

    private static async Task<(ClusterSpec Spec, ClusterPlacement Placement)> RecordedAsync(string primary)
    {
        var spec = (await StackFixtures.LoadAsync("local")).WithPrimary(primary);
        return (spec, ClusterPlacement.Loopback(spec, "/tmp/pgha-test/passfile", "/tmp/pgha-test"));
    }

    private static ObservedCluster Observe(params ObservedNode[] nodes) => new(nodes.ToImmutableDictionary(n => n.Name));

    [Fact]
    public async Task Up_finishes_the_promotion_of_a_recorded_primary_in_recovery_when_no_other_node_accepts_writes()
    {
        var (spec, placement) = await RecordedAsync("pg-2");
        var observed = Observe(Node("pg-1", running: false, null, fence: "fenced by switchover"), Node("pg-2", true, true), Node("pg-3", true, true));

        var plan = ConvergencePlanner.Plan(spec, placement, observed, allowRestart: false);

        Assert.Empty(plan.Problems);
        var finish = Assert.Single(plan.Actions.OfType<FinishPromotion>());
        Assert.Equal("pg-2", finish.Node);
        Assert.Equal("promote", finish.Kind);
        Assert.Contains("a promotion once requested is treated as done, so finish it", finish.Reason, StringComparison.Ordinal);
        // The old primary stays fenced and rejoins as a replica; it is never started as a primary.
        Assert.IsType<RejoinNode>(Assert.Single(plan.For("pg-1")));
        Assert.DoesNotContain(plan.For("pg-2"), a => a is StartNode or RestartNode or HealNode);
    }

    [Fact]
    public async Task Up_refuses_to_promote_the_recorded_primary_while_another_node_accepts_writes()
    {
        var (spec, placement) = await RecordedAsync("pg-2");
        var observed = Observe(Node("pg-1", running: false, null, fence: "fenced by failover"), Node("pg-2", true, true), Node("pg-3", true, false));

        var plan = ConvergencePlanner.Plan(spec, placement, observed, allowRestart: false);

        Assert.DoesNotContain(plan.Actions, a => a is FinishPromotion);
        Assert.Contains(plan.Problems, p => p.Contains("pg-2 is the primary but runs as a replica (in recovery), and pg-3 accepts writes", StringComparison.Ordinal)
                                            && p.Contains("pgha will not promote a second primary", StringComparison.Ordinal));
    }
}

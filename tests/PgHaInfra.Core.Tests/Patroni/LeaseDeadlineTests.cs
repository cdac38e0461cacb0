using PgHaInfra.Local.Patroni;

namespace PgHaInfra.Core.Tests.Patroni;

/// <summary>The lease guard's deadline: only this node's lease moves it, never backwards, and never past the lease's end.</summary>
public sealed class LeaseDeadlineTests
{
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void Is_not_armed_until_this_node_is_seen_holding_the_lease()
    {
        var deadline = new LeaseDeadline("pg-1", Margin);
        deadline.Observe(new LeaderLease("pg-2", TimeSpan.FromSeconds(4)), TimeSpan.Zero);
        deadline.Observe(new LeaderLease(null, TimeSpan.Zero), TimeSpan.FromSeconds(1));

        Assert.Null(deadline.Deadline);
        Assert.False(deadline.Expired(TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Ends_before_the_lease_read_at_the_start_of_the_request_would_end()
    {
        var deadline = new LeaseDeadline("pg-1", Margin);
        deadline.Observe(new LeaderLease("pg-1", TimeSpan.FromSeconds(4)), TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(14) - Margin, deadline.Deadline);
        Assert.False(deadline.Expired(TimeSpan.FromSeconds(13.7)));
        Assert.False(deadline.Expired(TimeSpan.FromSeconds(13.74)));
        Assert.True(deadline.Expired(TimeSpan.FromSeconds(13.75)));
    }

    [Fact]
    public void A_late_answer_about_an_older_lease_never_moves_it_back_and_another_holder_does_not_disarm_it()
    {
        var deadline = new LeaseDeadline("pg-1", Margin);
        deadline.Observe(new LeaderLease("pg-1", TimeSpan.FromSeconds(4)), TimeSpan.FromSeconds(10));
        deadline.Observe(new LeaderLease("pg-1", TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(9));
        deadline.Observe(new LeaderLease("pg-2", TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(15));

        Assert.Equal(TimeSpan.FromSeconds(14) - Margin, deadline.Deadline);
        Assert.True(deadline.Expired(TimeSpan.FromSeconds(15)));
        deadline.Disarm();
        Assert.False(deadline.Expired(TimeSpan.FromSeconds(15)));
    }
}

using PgHaInfra.Operations.Diagnostics;

namespace PgHaInfra.Core.Tests.Robustness;

/// <summary>The kill hook's step names: `step` dies as the step starts, `step+` right after it, `@node` narrows it to one node.</summary>
public sealed class TestDieAtTests
{
    [Theory]
    [InlineData("promote", "promote", "pg-2", false, true)]
    [InlineData("promote", "promote", "pg-2", true, false)]
    [InlineData("promote+", "promote", "pg-2", true, true)]
    [InlineData("start@pg-2", "start", "pg-1", false, false)]
    [InlineData("start@pg-2", "start", "pg-2", false, true)]
    [InlineData("start+@pg-3", "start", "pg-3", true, true)]
    [InlineData("re-point@pg-3", "re-point", "pg-3,pg-4", false, true)]
    [InlineData("role + slots", "role + slots", "pg-1", false, true)]
    [InlineData("drop-orphan-slots", "drop-orphan-slots", null, false, true)]
    [InlineData("fence@pg-1", "fence", null, false, false)]
    [InlineData("fence", "final-lsn", "pg-1", false, false)]
    public void Matches_names_a_step_its_end_and_its_node(string wanted, string step, string? node, bool finished, bool expected) =>
        Assert.Equal(expected, TestDieAt.Matches(wanted, step, node, finished));
}

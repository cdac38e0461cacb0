using System.Globalization;
using PgHaInfra.Core.Tests.Rendering;
using PgHaInfra.Parameters;

namespace PgHaInfra.Core.Tests.Parameters;

/// <summary>The checked-in parameter lists: one per supported major, each that major's own, and PostgreSQL 15's as the installed server describes it.</summary>
public sealed class ParameterListsTests
{
    [Theory]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    public void Every_supported_major_has_its_own_list(int major)
    {
        var catalog = PostgresParameters.For(major);

        Assert.StartsWith($"PostgreSQL {major}.", catalog.DescribedAs, StringComparison.Ordinal);
        Assert.True(catalog.Names.Count() > 300, $"{catalog.Names.Count()} parameters");
        Assert.Equal("bool", catalog.Find("hot_standby")!.Type);
        Assert.Equal(["minimal", "replica", "logical"], catalog.Find("wal_level")!.EnumValues.ToArray());
        Assert.Equal(("integer", "ms", "0", "2147483647"), (catalog.Find("recovery_min_apply_delay")!.Type, catalog.Find("recovery_min_apply_delay")!.Unit,
            catalog.Find("recovery_min_apply_delay")!.Min, catalog.Find("recovery_min_apply_delay")!.Max));
        Assert.NotNull(catalog.Find("DATESTYLE"));

        // What differs between majors is what proves each list is its own.
        Assert.Equal(major <= 15, catalog.Find("promote_trigger_file") is not null);
        Assert.Equal(major <= 15, catalog.Find("vacuum_defer_cleanup_age") is not null);
        Assert.Equal(major <= 16, catalog.Find("old_snapshot_threshold") is not null);
        Assert.Equal(major >= 17, catalog.Find("summarize_wal") is not null);
        Assert.Equal(major >= 14, catalog.Find("idle_session_timeout") is not null);
        Assert.Null(catalog.Find("wal_keep_segments")); // removed in 13
    }

    [Fact]
    public void A_major_without_a_list_is_refused_by_name() =>
        Assert.Contains("lists exist for 13, 14, 15, 16, 17", Assert.Throws<ArgumentOutOfRangeException>(() => PostgresParameters.For(12)).Message, StringComparison.Ordinal);

    [Fact]
    public void The_pg15_list_agrees_with_the_installed_postgresql_15()
    {
        if (Pg15Parameters.Described is not { } described)
        {
            // No PostgreSQL 15 here: the list is all there is (CI installs postgresql-15, so it is checked there).
            Assert.Equal(Pg15Parameters.Embedded, Pg15Parameters.From);
            return;
        }

        var catalog = PostgresParameters.For(15);
        foreach (var (name, row) in described)
        {
            var parameter = catalog.Find(name);
            Assert.True(parameter is not null, $"{name} is in {Pg15Parameters.From} but not in pg15.tsv");
            Assert.Equal((name, row[1], row[3].ToLowerInvariant().Replace("boolean", "bool", StringComparison.Ordinal)), (parameter!.Name, parameter.Context, parameter.Type));
            if (parameter.Type is "integer" or "real")
            {
                Assert.Equal(double.Parse(row[5], CultureInfo.InvariantCulture), double.Parse(parameter.Min, CultureInfo.InvariantCulture), 1e-6);
                Assert.Equal(double.Parse(row[6], CultureInfo.InvariantCulture) / 1e300, double.Parse(parameter.Max, CultureInfo.InvariantCulture) / 1e300, 1e-6);
            }
        }
    }
}

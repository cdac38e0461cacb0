using PgHaInfra.Stack;

namespace PgHaInfra.Core.Tests.Hostile;

/// <summary>Every case of the hostile-input corpus gives its exact error, and no error line can be split or carry escapes.</summary>
public sealed class HostileInputTests
{
    private const string Source = "stacks/Pulumi.test.yaml";

    public static TheoryData<HostileCase> Cases => [.. HostileCorpus.Cases];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hostile_stack_gives_its_exact_error(HostileCase hostile)
    {
        var (spec, errors) = StackFixtures.Parse(hostile.Yaml);

        Assert.Null(spec);
        var lines = errors.Select(e => e.ToString()).ToList();
        Assert.All(lines, line => Assert.StartsWith(Source, line, StringComparison.Ordinal));
        var shown = lines.Select(l => l[Source.Length..]).ToList();
        Assert.Contains(hostile.Expected, shown);
        Assert.Equal(hostile.Errors, errors.Length);

        // What reaches the terminal: one line per error, no control character, no value echoed in full.
        Assert.All(lines, line => Assert.DoesNotContain(line, c => char.IsControl(c)));
        Assert.All(lines, line => Assert.True(line.Length < 1000, line));
    }

    [Fact]
    public void The_corpus_has_at_least_150_cases_with_distinct_names_in_every_class()
    {
        Assert.True(HostileCorpus.Cases.Length >= 150, $"{HostileCorpus.Cases.Length} cases");
        Assert.Equal(HostileCorpus.Cases.Length, HostileCorpus.Cases.Select(c => c.Name).Distinct().Count());
        Assert.Equal(["guard", "ignored", "injection", "networks", "roles", "server", "upstream", "versions", "yaml"],
            HostileCorpus.Cases.Select(c => c.Class).Distinct().Order(StringComparer.Ordinal));
    }
}

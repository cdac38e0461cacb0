using PgHaInfra.Stack;

namespace PgHaInfra.Core.Tests.Stack;

public sealed class SpellingTests
{
    [Theory]
    [InlineData("topolgy", "topology")]
    [InlineData("Topology", "topology")]
    [InlineData("primray", "primary")]
    [InlineData("endpoint", "endpoints")]
    [InlineData("paramters", "parameters")]
    [InlineData("criticalByte", "criticalBytes")]
    public void Near_misses_get_the_nearest_key(string word, string expected)
    {
        Assert.Equal(expected, Spelling.Nearest(word, [.. StackKeys.TopLevel, .. StackKeys.Lag]));
    }

    [Theory]
    [InlineData("replicas")]
    [InlineData("x")]
    [InlineData("completely_unrelated")]
    public void Far_words_get_no_suggestion(string word) =>
        Assert.Null(Spelling.Nearest(word, StackKeys.TopLevel));

    [Fact]
    public void No_candidates_no_suggestion() => Assert.Null(Spelling.Nearest("prod", []));

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void Distance_counts_edits_and_adjacent_swaps(string a, string b, int distance) =>
        Assert.Equal(distance, Spelling.Distance(a, b));
}

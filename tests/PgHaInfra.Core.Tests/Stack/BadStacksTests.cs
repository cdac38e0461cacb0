using PgHaInfra.Stack;

namespace PgHaInfra.Core.Tests.Stack;

/// <summary>Each file in BadStacks/ is one mistake; the loader must name its file, line, key, value, problem and what is allowed.</summary>
public sealed class BadStacksTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "BadStacks");

    public static TheoryData<BadStackCase> Cases => [.. BadStackTable.Cases];

    private static async Task<System.Collections.Immutable.ImmutableArray<StackError>> LoadAsync(string file)
    {
        var path = Path.Combine(Folder, file + ".yaml");
        var (spec, errors) = ClusterSpecReader.TryRead(await YamlStackFile.LoadAsync(path, CancellationToken.None));
        Assert.Null(spec);
        return errors;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_stack_gives_its_exact_error(BadStackCase expected)
    {
        var errors = await LoadAsync(expected.File);

        var error = Assert.Single(errors, e => e.Key == expected.Key && e.Problem.Contains(expected.Problem, StringComparison.Ordinal));
        Assert.Equal(Path.Combine(Folder, expected.File + ".yaml"), error.Source);
        Assert.Equal(expected.Line, error.Line);
        Assert.Equal(expected.Value, error.Value);
        Assert.Equal(expected.Allowed, error.Allowed);
        Assert.Equal(expected.Suggestion, error.Suggestion);
        Assert.Equal(expected.Errors, errors.Length);

        // What the operator reads: file:line: key = value: problem. Allowed: ...
        var text = error.ToString();
        Assert.StartsWith(expected.Line is { } line ? $"{error.Source}:{line}: {expected.Key}" : $"{error.Source}: {expected.Key}", text, StringComparison.Ordinal);
        if (expected.Allowed is not null)
        {
            Assert.Contains($". Allowed: {expected.Allowed}", text, StringComparison.Ordinal);
        }

        if (expected.Suggestion is not null)
        {
            Assert.EndsWith($". Did you mean {expected.Suggestion}?", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_bad_stack_file_has_a_row_and_every_row_a_file()
    {
        var files = Directory.EnumerateFiles(Folder, "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToList();
        var rows = BadStackTable.Cases.Select(c => c.File).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(files, rows);
        Assert.True(rows.Count >= 30, $"only {rows.Count} bad stacks");
        Assert.Equal(rows.Count, rows.Distinct().Count());
    }

    [Fact]
    public async Task Every_mistake_in_one_file_is_reported_in_file_order()
    {
        var errors = await LoadAsync("many-mistakes");

        Assert.Equal(
            [
                (3, "pg-ha-infra:cluster"),
                (9, "pg-ha-infra:nodes[1].port"),
                (11, "pg-ha-infra:wal.keepSize"),
                (13, "pg-ha-infra:lag.warningTime"),
                (14, "pg-ha-infra:replicas"),
            ],
            errors.Select(e => (e.Line ?? 0, e.Key)));
    }

    [Fact]
    public async Task A_missing_key_is_reported_after_the_ones_with_a_line()
    {
        var errors = await LoadAsync("unknown-top-level-key");

        Assert.Equal(["pg-ha-infra:topolgy", "pg-ha-infra:topology"], errors.Select(e => e.Key));
        Assert.Equal("is required", errors[1].Problem);
        Assert.Null(errors[1].Line);
    }

    [Fact]
    public async Task A_stack_that_is_not_yaml_gives_only_the_syntax_error()
    {
        var error = Assert.Single(await LoadAsync("not-yaml"));

        Assert.Equal(YamlStackFile.YamlKey, error.Key);
    }

    [Fact]
    public async Task Validation_exception_carries_every_error()
    {
        var path = Path.Combine(Folder, "many-mistakes.yaml");
        var document = await YamlStackFile.LoadAsync(path, CancellationToken.None);

        var exception = Assert.Throws<StackValidationException>(() => ClusterSpecReader.Read(document));

        Assert.Equal(5, exception.Errors.Length);
        Assert.Equal(5, exception.Message.Split(Environment.NewLine).Length);
    }
}

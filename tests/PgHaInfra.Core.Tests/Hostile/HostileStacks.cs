namespace PgHaInfra.Core.Tests.Hostile;

/// <summary>Builds the corpus's stack texts: a valid three-node async stack with one thing changed.</summary>
internal static class HostileStacks
{
    /// <summary>A YAML double-quoted scalar; <paramref name="escaped"/> may use YAML's escapes (\n, \e, \t, \x7f, \u2028).</summary>
    public static string Q(string escaped) => "\"" + escaped + "\"";

    /// <summary>The stack, with <paramref name="top"/> lines (already indented two spaces) after the nodes.</summary>
    public static string Base(string top = "", string node0 = "", string topology = "async") =>
        $"""
        config:
          pg-ha-infra:topology: {topology}
          pg-ha-infra:nodes:
            - name: pg-1
              port: 15432{node0}
            - name: pg-2
              port: 15433
            - name: pg-3
              port: 15434
        {top}
        """;

    /// <summary>One key of a section: <c>Section("network", "subnet", "0.0.0.0/0")</c>.</summary>
    public static string Section(string section, string key, string value) =>
        Base($"  pg-ha-infra:{section}:\n    {key}: {value}");

    /// <summary>One top-level key.</summary>
    public static string Top(string key, string value) => Base($"  pg-ha-infra:{key}: {value}");

    /// <summary>One parameter override (the name as written in YAML, so it may be quoted).</summary>
    public static string Param(string name, string value, string extra = "") =>
        Base($"{extra}  pg-ha-infra:parameters:\n    {name}: {value}");

    /// <summary>A field added to the third node (pg-3).</summary>
    public static string Node2(string field) => Base().Replace("port: 15434", "port: 15434\n      " + field, StringComparison.Ordinal);

    /// <summary>"Billion laughs": nine levels of ten aliases each, a 1 kB file that expands to 10^9 values.</summary>
    public static string Laughs()
    {
        var lines = new List<string> { "  docker:l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]" };
        for (var i = 1; i <= 9; i++)
        {
            lines.Add($"  docker:l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]");
        }

        return Base(string.Join("\n", lines));
    }

    /// <summary>The repository's prod stack (sync, cascading pg-4 on line 17, delayed pg-dr) with pg-4's upstream replaced.</summary>
    public static string ProdUpstream(string upstream) =>
        File.ReadAllText(StackFixtures.RepositoryStacks.PathOf("prod")).Replace("upstream: pg-3", "upstream: " + upstream, StringComparison.Ordinal);
}

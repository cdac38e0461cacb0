using PgHaInfra.Spec;
using PgHaInfra.Messages;

namespace PgHaInfra.Stack;

/// <summary>Where semantic rules report: the spec's source, and the line of each key path that was read.</summary>
internal sealed class RuleContext(ClusterSpec spec, IReadOnlyDictionary<string, int?> locations, List<StackError> errors)
{
    public ClusterSpec Spec { get; } = spec;

    public int Count => errors.Count;

    /// <param name="at">The key path whose line to report, when <paramref name="path"/> itself is missing from the file.</param>
    public void Error(string path, string? value, string problem, string? allowed = null, string? suggestion = null, string? at = null) =>
        errors.Add(new StackError(Spec.Source, locations.GetValueOrDefault(path) ?? (at is null ? null : locations.GetValueOrDefault(at)),
            $"{StackDocument.Namespace}:{path}", value is null ? null : Quoted(value), problem, allowed, suggestion is null ? null : Quoted(suggestion)));

    /// <summary>Values and suggested values are shown in double quotes, as the reader shows them.</summary>
    private static string Quoted(string value) => Shown.Quote(value);

    public string NodePath(NodeSpec node, string field) => $"nodes[{Spec.Nodes.IndexOf(node)}].{field}";
}

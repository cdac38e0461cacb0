using PgHaInfra.Spec;

namespace PgHaInfra.Stack;

/// <summary>Where semantic rules report: the spec's source, and the line of each key path that was read.</summary>
internal sealed class RuleContext(ClusterSpec spec, IReadOnlyDictionary<string, int?> locations, List<StackError> errors)
{
    public ClusterSpec Spec { get; } = spec;

    public void Error(string path, string? value, string problem, string? allowed = null, string? suggestion = null) =>
        errors.Add(new StackError(Spec.Source, locations.GetValueOrDefault(path), $"{StackDocument.Namespace}:{path}",
            value is null ? null : $"\"{value}\"", problem, allowed, suggestion));

    public string NodePath(NodeSpec node, string field) => $"nodes[{Spec.Nodes.IndexOf(node)}].{field}";
}

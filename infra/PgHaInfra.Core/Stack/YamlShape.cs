using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PgHaInfra.Stack;

/// <summary>
/// Walks a YAML text's events once, without building it, and refuses what would hurt to build: nesting deeper than
/// <see cref="MaxDepth"/> (YamlDotNet builds nodes recursively, and 10,000 levels overflow the stack and abort the
/// process), aliases that expand to more than <see cref="MaxValues"/> values (a 1 kB "billion laughs" file fills
/// memory), an alias to an anchor not yet complete (a cycle), and a second document (Pulumi reads only the first).
/// </summary>
internal static class YamlShape
{
    /// <summary>Stack files nest about five levels deep; foreign namespaces get the same room.</summary>
    public const int MaxDepth = 64;

    /// <summary>Values (scalars, lists, mappings) the document may hold with every alias expanded.</summary>
    public const int MaxValues = 10_000;

    /// <summary>The first problem, with its 1-based line, or null when the text may be built.</summary>
    public static (int Line, string Problem)? Check(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new Stack<(string? Anchor, long Values)>();
        var documents = 0;
        long total = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            var line = (int)current.Start.Line;
            switch (current)
            {
                case DocumentStart:
                    if (++documents > 1)
                    {
                        return (line, "starts a second YAML document; a stack file is one document, and the rest would be ignored");
                    }

                    break;
                case MappingStart or SequenceStart:
                    if (open.Count >= MaxDepth)
                    {
                        return (line, $"nests deeper than {MaxDepth} levels");
                    }

                    open.Push((((NodeEvent)current).Anchor.IsEmpty ? null : ((NodeEvent)current).Anchor.Value, 1));
                    break;
                case MappingEnd or SequenceEnd:
                    var (anchor, values) = open.Pop();
                    if (Add(anchor, values) is { } problem)
                    {
                        return (line, problem);
                    }

                    break;
                case Scalar scalar:
                    if (Add(scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value, 1) is { } scalarProblem)
                    {
                        return (line, scalarProblem);
                    }

                    break;
                case AnchorAlias alias:
                    if (!anchors.TryGetValue(alias.Value.Value, out var aliased))
                    {
                        return (line, $"refers to anchor &{alias.Value.Value} before it is complete (or never defined); aliases may only repeat a finished value");
                    }

                    if (Add(null, aliased) is { } aliasProblem)
                    {
                        return (line, aliasProblem);
                    }

                    break;
            }
        }

        return null;

        // Counts a finished value into its parent; a value whose expansion is already too large stops the walk.
        string? Add(string? anchor, long values)
        {
            if (anchor is not null)
            {
                anchors[anchor] = values;
            }

            if (open.Count > 0)
            {
                var (parentAnchor, parentValues) = open.Pop();
                open.Push((parentAnchor, parentValues + values));
                values = parentValues + values;
            }
            else
            {
                total += values;
                values = total;
            }

            return values > MaxValues ? $"expands to more than {MaxValues} values through aliases; a stack file holds a few hundred" : null;
        }
    }
}

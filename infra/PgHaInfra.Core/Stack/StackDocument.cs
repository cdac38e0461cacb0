using System.Collections.Immutable;

namespace PgHaInfra.Stack;

/// <summary>The configuration of one stack: its project-namespaced keys (without the namespace) and where they came from.</summary>
/// <param name="Stack">The stack name, e.g. "prod".</param>
/// <param name="Source">The file (or "Pulumi config") that messages should name.</param>
/// <param name="Entries">Keys of the pg-ha-infra namespace, without the "pg-ha-infra:" prefix.</param>
/// <param name="Errors">Problems already found while reading the document itself.</param>
public sealed record StackDocument(string Stack, string Source, ImmutableArray<ConfigEntry> Entries, ImmutableArray<StackError> Errors)
{
    /// <summary>The Pulumi project name, which is also the namespace of every key in a stack file.</summary>
    public const string Namespace = "pg-ha-infra";
}

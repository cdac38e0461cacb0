using System.Collections.Immutable;

namespace PgHaInfra.Local;

/// <summary>One node the engine finished creating: its data directory is complete and its files are installed.</summary>
/// <param name="Role">"primary" or "replica", as created.</param>
public sealed record NodeRecord(string Name, int Port, string Role, string? Upstream, DateTimeOffset CreatedAt);

/// <summary>
/// What the local engine remembers about a cluster between runs, in state.json. The current primary lives here:
/// after `pgha switchover`/`failover` records a new primary (<see cref="WithPrimary"/>), `up` follows it and never
/// demotes it back to the stack file's primary. A node is listed only once it is completely made, so a data
/// directory without a record is half-made (an interrupted run) and is rebuilt.
/// </summary>
public sealed record EngineState
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    public required string Stack { get; init; }

    public required string Cluster { get; init; }

    /// <summary>The node that is primary now. Null before the primary was created.</summary>
    public string? Primary { get; init; }

    /// <summary>Why <see cref="Primary"/> is the primary: "created by up", "switchover from pg-1", ...</summary>
    public string? PrimaryReason { get; init; }

    public int PostgresMajor { get; init; }

    public string? PostgresVersion { get; init; }

    public string? PghaVersion { get; init; }

    public ImmutableSortedDictionary<string, NodeRecord> Nodes { get; init; } = ImmutableSortedDictionary<string, NodeRecord>.Empty;

    public DateTimeOffset UpdatedAt { get; init; }

    public static EngineState Empty(string stack, string cluster) => new() { Stack = stack, Cluster = cluster };

    public bool HasNode(string name) => Nodes.ContainsKey(name);

    public EngineState WithNode(NodeRecord node) => this with { Nodes = Nodes.SetItem(node.Name, node) };

    public EngineState WithoutNode(string name) => this with { Nodes = Nodes.Remove(name) };

    /// <summary>Records a new primary: what switchover and failover call once the promotion is done.</summary>
    public EngineState WithPrimary(string node, string reason) => this with { Primary = node, PrimaryReason = reason };
}

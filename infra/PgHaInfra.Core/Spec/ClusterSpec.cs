using System.Collections.Immutable;

namespace PgHaInfra.Spec;

/// <summary>
/// One cluster as a stack file describes it: validated, immutable, and free of any engine.
/// Both the local engine and the Pulumi program are driven from this record alone.
/// </summary>
public sealed record ClusterSpec
{
    /// <summary>The stack name (the file stacks/Pulumi.&lt;stack&gt;.yaml).</summary>
    public required string Stack { get; init; }

    /// <summary>Where the spec was read from, for messages.</summary>
    public required string Source { get; init; }

    public required string Name { get; init; }

    public required DeploymentEnvironment Environment { get; init; }

    public required Topology Topology { get; init; }

    public required ImmutableArray<NodeSpec> Nodes { get; init; }

    /// <summary>The current primary. It moves after a failover; every upstream of null means this node.</summary>
    public required string Primary { get; init; }

    public required PostgresSpec Postgres { get; init; }

    public required ReplicationSpec Replication { get; init; }

    public required WalSpec Wal { get; init; }

    public SynchronousSpec? Synchronous { get; init; }

    public required NetworkSpec Network { get; init; }

    /// <summary>Settings only a Docker deployment reads (the stack's pg-ha-infra:docker section).</summary>
    public DockerSpec Docker { get; init; } = DockerSpec.Default;

    public required EndpointNames Endpoints { get; init; }

    public required LagThresholds Lag { get; init; }

    public required FailoverSpec Failover { get; init; }

    /// <summary>User overrides of PostgreSQL parameters, already checked not to break replication.</summary>
    public required ImmutableSortedDictionary<string, string> Parameters { get; init; }

    /// <summary>Backups and WAL archiving with pgBackRest; null when the stack sets no backup keys.</summary>
    public BackupSpec? Backup { get; init; }

    /// <summary>The pgBackRest stanza: one per cluster, named after it.</summary>
    public string Stanza => Name;

    public NodeSpec PrimaryNode => Node(Primary);

    public IEnumerable<NodeSpec> Replicas => Nodes.Where(n => n.Name != Primary);

    public int ReplicaCount => Nodes.Length - 1;

    public NodeSpec Node(string name) =>
        Nodes.FirstOrDefault(n => n.Name == name)
        ?? throw new ArgumentException($"cluster '{Name}' has no node '{name}'; nodes: {string.Join(", ", Nodes.Select(n => n.Name))}", nameof(name));

    public bool HasNode(string name) => Nodes.Any(n => n.Name == name);

    public bool IsPrimary(NodeSpec node) => node.Name == Primary;

    /// <summary>The node this one streams from, or null for the primary.</summary>
    public NodeSpec? UpstreamOf(NodeSpec node) =>
        IsPrimary(node) ? null : Node(node.Upstream is { } upstream && upstream != node.Name ? upstream : Primary);

    /// <summary>Replicas that stream directly from <paramref name="node"/>; it holds one slot for each.</summary>
    public IEnumerable<NodeSpec> DownstreamsOf(NodeSpec node) =>
        Replicas.Where(r => UpstreamOf(r)?.Name == node.Name);

    /// <summary>Hops from the primary: 0 for the primary, 1 for its direct replicas, and so on.</summary>
    public int DepthOf(NodeSpec node)
    {
        var depth = 0;
        for (var current = UpstreamOf(node); current is not null; current = UpstreamOf(current))
        {
            depth++;
        }

        return depth;
    }

    /// <summary>Every node, each after its upstream: the order in which nodes can be created.</summary>
    public IEnumerable<NodeSpec> InCreationOrder() =>
        Nodes.Select((n, i) => (Node: n, Index: i)).OrderBy(x => DepthOf(x.Node)).ThenBy(x => x.Index).Select(x => x.Node);

    /// <summary>The standbys named in synchronous_standby_names, empty unless the topology is sync.</summary>
    public IEnumerable<NodeSpec> SynchronousCandidates =>
        Synchronous is { } sync ? sync.Standbys.Where(HasNode).Select(Node).Where(n => !IsPrimary(n)) : [];

    /// <summary>
    /// The same cluster with <paramref name="newPrimary"/> as primary. The new primary loses its upstream,
    /// and the old primary (and any node that named it as upstream) follows the new one, so a switchover never
    /// creates a cycle of upstreams.
    /// The old primary takes the new primary's place among the synchronous standbys, so FIRST k / ANY k
    /// keeps as many candidates as before.
    /// </summary>
    public ClusterSpec WithPrimary(string newPrimary)
    {
        if (newPrimary == Primary)
        {
            return this;
        }

        var target = Node(newPrimary);
        return this with
        {
            Primary = target.Name,
            // A node that named the old primary as its upstream meant "the primary": it follows the new one too,
            // or a synchronous standby would end up streaming from a replica and the commit quorum could never form.
            Nodes = [.. Nodes.Select(n => n.Name == target.Name || n.Name == Primary || n.Upstream == Primary ? n with { Upstream = null } : n)],
            Synchronous = Synchronous is { } sync
                ? sync with { Standbys = [.. sync.Standbys.Select(s => s == target.Name ? Primary : s)] }
                : null,
        };
    }
}

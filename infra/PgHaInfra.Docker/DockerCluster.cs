using System.Collections.Immutable;
using System.Text.Json;
using PgHaInfra.Deployment;
using PgHaInfra.Operations.Access;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Docker;

/// <summary>
/// A stack deployed on Docker, as `pgha docker` operates it: its containers found by their pgha labels, the
/// credentials read from them (the passfiles the deployment uploads: nobody types a password), access through the
/// published ports, the primary pgha recorded after a switchover or failover, and the endpoint aliases.
/// </summary>
public sealed class DockerCluster : IAsyncDisposable
{
    /// <summary>The Pulumi config key the stack's primary lives in (printed after a promotion so the stack can follow).</summary>
    public const string PrimaryConfigKey = "pg-ha-infra:primary";

    public const string RecordFile = "docker-primary.json";

    private readonly string recordPath;

    private ImmutableDictionary<string, DeployedNode> nodes;

    private DockerCluster(ContainerEngine engine, ClusterSpec declared, ClusterSpec spec, ImmutableDictionary<string, DeployedNode> nodes, ClusterCredentials credentials, string recordPath)
    {
        Engine = engine;
        Declared = declared;
        Spec = spec;
        this.nodes = nodes;
        Credentials = credentials;
        this.recordPath = recordPath;
        Access = NewAccess(spec);
    }

    public ContainerEngine Engine { get; }

    /// <summary>The stack as its file declares it.</summary>
    public ClusterSpec Declared { get; }

    /// <summary>The stack with the primary pgha recorded last (the declared one until a switchover or failover).</summary>
    public ClusterSpec Spec { get; private set; }

    public ClusterCredentials Credentials { get; }

    /// <summary>Through the published ports (the stack's docker check host), with a pool per node.</summary>
    public ClusterAccess Access { get; private set; }

    public ImmutableDictionary<string, DeployedNode> Nodes => nodes;

    /// <param name="stateDirectory">Where pgha keeps this stack's record of the primary (PGHA_STATE_DIR/&lt;stack&gt;).</param>
    public static async Task<DockerCluster> OpenAsync(ClusterSpec declared, string stateDirectory, Uri engineAddress, CancellationToken cancellationToken)
    {
        var engine = new ContainerEngine(engineAddress);
        try
        {
            var found = await engine.FindAsync(declared, cancellationToken).ConfigureAwait(false);
            var missing = declared.Nodes.Where(n => !found.ContainsKey(n.Name)).Select(n => n.Name).ToList();
            if (missing.Count == declared.Nodes.Length)
            {
                throw new DockerOperationException($"no container of stack {declared.Stack} (labels {DeploymentLabels.Stack}={declared.Stack}, {DeploymentLabels.Cluster}={declared.Name}) on the Docker engine at {engineAddress}: deploy it with `pulumi up --stack {declared.Stack}`, or set {DockerEngineAddress.Variable}");
            }

            if (missing.Count > 0)
            {
                throw new DockerOperationException($"stack {declared.Stack} has no container for node(s) {string.Join(", ", missing)} on {engineAddress}; run `pulumi up --stack {declared.Stack}` to create them");
            }

            var source = found.Values.FirstOrDefault(n => n.Running)
                ?? throw new DockerOperationException($"no container of stack {declared.Stack} is running, so its credentials cannot be read from one; start one with `docker start`");
            var credentials = new ClusterCredentials(
                declared.Replication.Superuser,
                PassfilePassword(await engine.ReadFileAsync(source.Id, ContainerLayout.SuperuserPassfile, cancellationToken).ConfigureAwait(false), ContainerLayout.SuperuserPassfile),
                declared.Replication.User,
                PassfilePassword(await engine.ReadFileAsync(source.Id, ContainerLayout.Passfile, cancellationToken).ConfigureAwait(false), ContainerLayout.Passfile));
            var recordPath = Path.Combine(stateDirectory, RecordFile);
            var recorded = await ReadRecordAsync(recordPath, cancellationToken).ConfigureAwait(false);
            var spec = recorded is { } primary && primary != declared.Primary && declared.HasNode(primary) ? declared.WithPrimary(primary) : declared;
            return new DockerCluster(engine, declared, spec, found, credentials, recordPath);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>The line that makes the stack declare the recorded primary, or null when it already does.</summary>
    public string? PulumiConfigLine => Spec.Primary == Declared.Primary ? null : $"pulumi config set {PrimaryConfigKey} {Spec.Primary} --stack {Spec.Stack}";

    /// <summary>A node's container as the engine reports it now.</summary>
    public async Task<DeployedNode> NodeAsync(string node, CancellationToken cancellationToken)
    {
        var known = nodes.TryGetValue(node, out var n) ? n : throw new DockerOperationException($"stack {Spec.Stack} has no container for node {node}");
        var now = await Engine.InspectAsync(Spec, known.Id, cancellationToken).ConfigureAwait(false);
        nodes = nodes.SetItem(node, now);
        return now;
    }

    /// <summary>A script in a maintenance container on the node's volume, with the passfiles copied in.</summary>
    public async Task<CommandResult> RunOnVolumeAsync(DeployedNode node, string script, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null) =>
        await Engine.RunOnVolumeAsync(Spec, node, script, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [VolumeScripts.SuperuserPassfile] = Passfile.Content(Credentials.Superuser, Credentials.SuperuserPassword),
            [VolumeScripts.ReplicationPassfile] = Passfile.Content(Credentials.ReplicationUser, Credentials.ReplicationPassword),
            [VolumeScripts.ServerConf] = await Engine.ReadFileAsync(node.Id, ContainerLayout.PathOf(NodeFiles.PostgresqlConf), cancellationToken).ConfigureAwait(false),
        }, environment ?? ImmutableDictionary<string, string>.Empty, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Gives a node its own name plus <paramref name="endpoints"/> on the cluster network, when that is not what it has:
    /// the container stays as it is (no recreation); its pooled connections are dropped, as the re-attachment breaks them.
    /// </summary>
    /// <returns>True when the aliases were changed.</returns>
    public async Task<bool> SetAliasesAsync(string node, ImmutableArray<string> endpoints, CancellationToken cancellationToken)
    {
        var container = await NodeAsync(node, cancellationToken).ConfigureAwait(false);
        ImmutableArray<string> wanted = [.. NetworkAliases.For(Spec, Spec.Node(node)).Concat(endpoints).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (container.Aliases.SequenceEqual(wanted))
        {
            return false;
        }

        await Engine.SetAliasesAsync(container, Spec.Network.Name, wanted, cancellationToken).ConfigureAwait(false);
        Access.DataSource(node).Clear();
        await NodeAsync(node, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The write name onto <paramref name="spec"/>'s primary (and off every other node), the read name onto the nodes that serve reads.</summary>
    /// <returns>The nodes whose aliases changed.</returns>
    public async Task<ImmutableArray<string>> MoveEndpointsAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        var changed = ImmutableArray.CreateBuilder<string>();
        // Off the old holder first, so that the write name never resolves to two nodes.
        foreach (var node in spec.Nodes.OrderBy(n => spec.IsPrimary(n) ? 1 : 0))
        {
            if (await SetAliasesAsync(node.Name, NetworkAliases.EndpointsOf(spec, node), cancellationToken).ConfigureAwait(false))
            {
                changed.Add(node.Name);
            }
        }

        return changed.ToImmutable();
    }

    public async Task RecordPrimaryAsync(string primary, string reason, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(recordPath)!);
        var text = JsonSerializer.Serialize(new PrimaryRecord(primary, reason, DateTimeOffset.UtcNow));
        var temporary = recordPath + ".new";
        await File.WriteAllTextAsync(temporary, text, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, recordPath, overwrite: true);
        if (primary != Spec.Primary)
        {
            Spec = Declared.Primary == primary ? Declared : Declared.WithPrimary(primary);
        }
    }

    private ClusterAccess NewAccess(ClusterSpec spec) => ClusterAccess.ThroughPublishedPorts(spec, spec.Docker.CheckHost, Credentials);

    private static async Task<string?> ReadRecordAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<PrimaryRecord>(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false))?.Primary;
        }
        catch (JsonException e)
        {
            throw new DockerOperationException($"{path}: not pgha's record of the primary ({e.Message}); move it aside to use the stack's declared primary");
        }
    }

    /// <summary>The password of a one-line libpq passfile "*:*:*:user:password", with libpq's escapes undone.</summary>
    public static string PassfilePassword(string content, string path)
    {
        var line = content.Split('\n')[0];
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                field.Append(line[++i]);
            }
            else if (line[i] == ':' && fields.Count < 4)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(line[i]);
            }
        }

        return fields.Count == 4 ? field.ToString() : throw new DockerOperationException($"{path} in the container is not a libpq passfile line");
    }

    public async ValueTask DisposeAsync()
    {
        await Access.DisposeAsync().ConfigureAwait(false);
        Engine.Dispose();
    }

    private sealed record PrimaryRecord(string Primary, string Reason, DateTimeOffset At);
}

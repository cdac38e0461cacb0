using System.Collections.Immutable;
using PgHaInfra.Deployment;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Wal;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Docker;

/// <summary>
/// The container side of switchover, failover, rejoin and drills, for a deployment made by `pulumi up` (or the tests'
/// applier): docker stop and kill, pg_controldata, the fence files, pg_rewind and a consented re-clone in a
/// maintenance container on the node's volume, the role settings in the data (<see cref="RoleConf"/>), and the
/// endpoint aliases moved on the cluster network. The container definitions are never changed.
/// </summary>
public sealed class DockerNodeControl(DockerCluster cluster) : INodeControl, INodeFaults
{
    /// <summary>The containers' stop grace (the description's StopGraceSeconds): a fast shutdown gets this long before a kill.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    /// <summary>Consent (--allow-reclone) to replace a node that pg_rewind cannot rewind by a fresh base backup.</summary>
    public bool AllowReclone { get; init; }

    private ContainerEngine Engine => cluster.Engine;

    /// <summary>Nodes whose fence files the clean stop already wrote (in the same short-lived container as pg_controldata).</summary>
    private readonly HashSet<string> fencedOnStop = new(StringComparer.Ordinal);

    /// <remarks>
    /// A switchover fences the node right after this; the fence files are written here already, in the container that
    /// reads pg_controldata, which saves starting a second one. Fencing early is only safer: a start lifts it.
    /// </remarks>
    public async Task<Lsn?> StopCleanlyAsync(NodeSpec node, CancellationToken cancellationToken)
    {
        var container = await cluster.NodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
        await Engine.StopAsync(container.Id, StopGrace, cancellationToken).ConfigureAwait(false);
        var control = await ControlDataAsync(container, cancellationToken, VolumeScripts.Fence(cluster.Spec, $"fenced by pgha: {node.Name} stopped for a switchover")).ConfigureAwait(false);
        fencedOnStop.Add(node.Name);
        if (control.State is not ("shut down" or "shut down in recovery"))
        {
            throw new FailoverException("fence", $"{node.Name} did not shut down cleanly (pg_controldata: {control.State}); its final LSN is unknown");
        }

        return control.Checkpoint;
    }

    public async Task<string> FenceAsync(NodeSpec node, CancellationToken cancellationToken)
    {
        var container = await cluster.NodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
        var running = container.Running;
        if (running)
        {
            // At once, as a lost machine: no shutdown checkpoint is waited for.
            await Engine.KillAsync(container.Id, "SIGKILL", cancellationToken).ConfigureAwait(false);
        }

        var result = !running && fencedOnStop.Contains(node.Name)
            ? new CommandResult(0, "pgha: fenced", "")
            : await cluster.RunOnVolumeAsync(container, VolumeScripts.Fence(cluster.Spec, $"fenced by pgha: {node.Name} is no longer the primary"), cancellationToken).ConfigureAwait(false);
        await cluster.SetAliasesAsync(node.Name, [], cancellationToken).ConfigureAwait(false);
        return (running ? $"container {container.Name} was still running and was killed; " : $"container {container.Name} is not running; ") +
            (result.Stdout.Contains("pgha: no data", StringComparison.Ordinal)
                ? "its volume holds no data, so nothing can start writable"
                : $"fenced with standby.signal and pgha.fenced in its data, so a start brings it up read-only; it answers no endpoint name");
    }

    public async Task StartAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken)
    {
        fencedOnStop.Remove(node.Name);
        var container = await cluster.NodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
        await cluster.RunOnVolumeAsync(container, VolumeScripts.Install(spec, node, liftFence: true), cancellationToken, RoleEnvironment(spec, node)).ConfigureAwait(false);
        await cluster.SetAliasesAsync(node.Name, NetworkAliases.EndpointsOf(spec, node), cancellationToken).ConfigureAwait(false);
        await Engine.StartAsync(container.Id, cancellationToken).ConfigureAwait(false);
    }

    public async Task InstallConfigurationAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken)
    {
        var container = await cluster.NodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
        var script = VolumeScripts.Install(spec, node, liftFence: false);
        var result = container.Running
            ? await Engine.ExecAsync(container.Id, "root", ["sh", "-c", script], [.. RoleEnvironment(spec, node).Select(p => $"{p.Key}={p.Value}")], cancellationToken).ConfigureAwait(false)
            : await cluster.RunOnVolumeAsync(container, script, cancellationToken, RoleEnvironment(spec, node)).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new FailoverException("configure", $"writing {node.Name}'s role settings into its data failed: {result.Output}");
        }
    }

    /// <summary>
    /// Records the primary for pgha (the stack's Docker state) and moves the endpoint names with it: the write name
    /// to the new primary and off every other node, the read name to the nodes that serve reads in <paramref name="spec"/>.
    /// </summary>
    public async Task RecordPrimaryAsync(ClusterSpec spec, string reason, CancellationToken cancellationToken)
    {
        await cluster.RecordPrimaryAsync(spec.Primary, reason, cancellationToken).ConfigureAwait(false);
        await cluster.MoveEndpointsAsync(spec, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RejoinOutcome> RejoinAsync(ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var upstream = spec.UpstreamOf(node) ?? throw new FailoverException("rejoin", $"{node.Name} is the primary; there is nothing to rejoin");
        var container = await cluster.NodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
        if (container.Running)
        {
            await Engine.StopAsync(container.Id, StopGrace, cancellationToken).ConfigureAwait(false);
        }

        fencedOnStop.Remove(node.Name);
        RejoinMethod method;
        string reason;
        var rewound = await cluster.RunOnVolumeAsync(container, VolumeScripts.Rewind(spec, upstream), cancellationToken).ConfigureAwait(false);
        if (rewound.Succeeded)
        {
            var diverged = rewound.Output.Split('\n').FirstOrDefault(l => l.Contains("servers diverged", StringComparison.Ordinal))?.Trim().Replace("pg_rewind: ", "", StringComparison.Ordinal);
            (method, reason) = rewound.Output.Contains("no rewind required", StringComparison.Ordinal)
                ? (RejoinMethod.NoRewindNeeded, $"pg_rewind (in a container on {node.Name}'s volume) found no divergence from {upstream.Name}: {node.Name} only needed standby settings")
                : (RejoinMethod.Rewind, $"pg_rewind (in a container on {node.Name}'s volume) rewound {node.Name} from {upstream.Name} ({diverged ?? "timelines diverged"})");
        }
        else
        {
            var why = Shorten(rewound.Output.ReplaceLineEndings(" "));
            if (!AllowReclone && rewound.ExitCode != 3)
            {
                throw new FailoverException("rejoin", $"pg_rewind cannot rewind {node.Name} from {upstream.Name} ({why}). A re-clone would delete its data " +
                    $"(and its commits after the fork); pgha does that only with consent: `pgha docker rejoin --node {node.Name} --allow-reclone`. Until then {node.Name} stays stopped and fenced");
            }

            var cloned = await cluster.RunOnVolumeAsync(container, VolumeScripts.Reclone(spec, node, upstream), cancellationToken).ConfigureAwait(false);
            if (!cloned.Succeeded)
            {
                throw new FailoverException("rejoin", $"the base backup of {node.Name} from {upstream.Name} failed: {Shorten(cloned.Output)}; its old data is kept unless the copy completed");
            }

            (method, reason) = (RejoinMethod.Reclone, rewound.ExitCode == 3
                ? $"{node.Name}'s volume held no data, so it was cloned with pg_basebackup from {upstream.Name}"
                : $"pg_rewind could not rewind {node.Name} ({why}), so it was re-cloned with pg_basebackup from {upstream.Name} (--allow-reclone)");
        }

        var after = await cluster.RunOnVolumeAsync(container, VolumeScripts.AfterRejoin(spec), cancellationToken, RoleEnvironment(spec, node)).ConfigureAwait(false);
        if (!after.Succeeded)
        {
            throw new FailoverException("rejoin", $"installing {node.Name}'s standby settings failed: {after.Output}");
        }

        await cluster.SetAliasesAsync(node.Name, NetworkAliases.EndpointsOf(spec, node), cancellationToken).ConfigureAwait(false);
        await Engine.StartAsync(container.Id, cancellationToken).ConfigureAwait(false);
        return new RejoinOutcome(node.Name, method, reason, clock.Elapsed);
    }

    /// <summary>docker kill (SIGKILL to the container's init and so to the server): a lost host, no shutdown checkpoint.</summary>
    public async Task<string> CrashAsync(NodeSpec node, CancellationToken cancellationToken)
    {
        var container = await cluster.NodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
        if (!container.Running)
        {
            return $"container {container.Name} was not running";
        }

        await Engine.KillAsync(container.Id, "SIGKILL", cancellationToken).ConfigureAwait(false);
        return $"docker kill of container {container.Name} ({node.Name}): no shutdown checkpoint, as when a host is lost";
    }

    /// <param name="then">A script to run in the same container once pg_controldata was read (the fence files).</param>
    private async Task<(string State, Lsn? Checkpoint)> ControlDataAsync(DeployedNode container, CancellationToken cancellationToken, string? then = null)
    {
        var result = await cluster.RunOnVolumeAsync(container, VolumeScripts.ControlData(cluster.Spec) + (then ?? ""), cancellationToken).ConfigureAwait(false);
        string Field(string name) => result.Stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith($"pgha: {name}: ", StringComparison.Ordinal))?[($"pgha: {name}: ").Length..] ?? "";
        return (Field("state") is { Length: > 0 } state ? state : $"unreadable ({Shorten(result.Output)})", Lsn.TryParse(Field("checkpoint"), out var lsn) ? lsn : null);
    }

    private static ImmutableDictionary<string, string> RoleEnvironment(ClusterSpec spec, NodeSpec node) =>
        ImmutableDictionary<string, string>.Empty.Add(VolumeScripts.RoleVariable, RoleConf.RenderRole(spec, ClusterPlacement.DockerNetwork(spec), node));

    /// <summary>The end of a tool's output, where its error is.</summary>
    private static string Shorten(string text) => text.Length <= 400 ? text : "..." + text[^400..];
}

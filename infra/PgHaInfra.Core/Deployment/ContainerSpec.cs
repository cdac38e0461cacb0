using System.Collections.Immutable;

namespace PgHaInfra.Deployment;

/// <summary>
/// One node's container, field by field as the Pulumi program declares it and the tests' fixture applies it.
/// Its definition does not depend on which node is primary: the role a node runs in lives in its data (see
/// <see cref="NodeStartScript"/> and <see cref="RoleConf"/>). The one role-dependent part, <see cref="Bootstrap"/>, is
/// create-only: read when the container is created, ignored by every later update.
/// </summary>
/// <param name="Node">The node it runs.</param>
/// <param name="Upstream">The node whose container must be up (healthy) before this one is created; null for the primary.</param>
/// <param name="Init">Run an init (tini) as PID 1, so it reaps the start script's detached bootstrap job.</param>
/// <param name="StopSignal">SIGINT is PostgreSQL's fast shutdown: sessions end and a shutdown checkpoint is written (SIGTERM's smart shutdown would wait for every client).</param>
/// <param name="StopGraceSeconds">How long a stop or a delete waits for that shutdown before killing (the provider's stop_timeout and destroy_grace_seconds).</param>
/// <param name="DeleteBeforeReplace">Its name and published port are fixed, so a replacement removes the old container first.</param>
public sealed record ContainerSpec(
    string Node,
    string? Upstream,
    string Name,
    string Hostname,
    string Image,
    ImmutableArray<string> Entrypoint,
    ImmutableArray<string> Command,
    ImmutableArray<EnvironmentVariable> Environment,
    ImmutableArray<Upload> Uploads,
    ImmutableSortedDictionary<string, string> Labels,
    VolumeMount Data,
    NetworkAttachment Network,
    BootstrapDeclaration Bootstrap,
    ImmutableArray<PublishedPort> Ports,
    HealthCheck HealthCheck,
    string RestartPolicy,
    bool Init,
    string StopSignal,
    int StopGraceSeconds,
    bool DeleteBeforeReplace,
    int HealthyWithinSeconds)
{
    /// <summary>Every environment variable the container is created with: its own, then the create-only declaration.</summary>
    public ImmutableArray<EnvironmentVariable> CreateEnvironment => [.. Environment, .. Bootstrap.Environment];

    /// <summary>Every alias it is created with on the cluster network: its own name, then the create-only endpoint names.</summary>
    public ImmutableArray<string> CreateAliases => [.. Network.Aliases, .. Bootstrap.Aliases];

    public Upload Upload(string path) =>
        Uploads.FirstOrDefault(u => u.Path == path) ?? throw new ArgumentException($"container {Name} has no upload {path}", nameof(path));
}

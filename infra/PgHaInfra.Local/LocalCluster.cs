using System.Collections.Immutable;
using PgHaInfra.Operations.Access;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Local;

/// <summary>Options that say where the local engine finds things. All optional: defaults follow the environment.</summary>
/// <param name="StateDirectory">This stack's state directory (--state-dir).</param>
/// <param name="PostgresBinDirectory">PostgreSQL's bin directory (otherwise PGHA_PG_BINDIR, PATH, pg_config).</param>
/// <param name="AdoptUnreadableState">
/// Open even when state.json is unreadable (`up --adopt`): the cluster then has no state, and `up` rebuilds it from
/// the data directories. Every other verb refuses such a cluster.
/// </param>
public sealed record LocalEngineOptions(string? StateDirectory = null, string? PostgresBinDirectory = null, bool AdoptUnreadableState = false);

/// <summary>
/// One stack's local cluster as the engine sees it: the stack's spec with the engine's current primary applied, the
/// state directory, the server user and the PostgreSQL binaries. Everything the operations on it need.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<ClusterAccess> retired = [];
    private ClusterAccess? access;
    private StackLock? hold;

    private LocalCluster(ClusterSpec stackSpec, ClusterSpec spec, StateLayout layout, ServerUser user, ProcessRunner runner, EngineStateStore store, EngineState? state, LocalEngineOptions options)
    {
        StackSpec = stackSpec;
        Spec = spec;
        Layout = layout;
        User = user;
        Runner = runner;
        Store = store;
        State = state;
        Options = options;
        Placement = LocalPlacement.Of(spec, layout);
    }

    /// <summary>The spec as the stack file says it.</summary>
    public ClusterSpec StackSpec { get; }

    /// <summary>The spec the engine acts on: the stack's, with the primary the engine state records (after a switchover or failover).</summary>
    public ClusterSpec Spec { get; private set; }

    public StateLayout Layout { get; }

    public ServerUser User { get; }

    public ProcessRunner Runner { get; }

    public EngineStateStore Store { get; }

    public EngineState? State { get; private set; }

    public LocalEngineOptions Options { get; }

    public ClusterPlacement Placement { get; private set; }

    public ImmutableDictionary<string, NodeAddress> Addresses => Placement.Addresses;

    /// <summary>The path state.json was set aside to, when it was unreadable and <see cref="LocalEngineOptions.AdoptUnreadableState"/> let the cluster open.</summary>
    public string? UnreadableState { get; private set; }

    /// <summary>Opens the stack's cluster for reading (status, plan, verify): no lock.</summary>
    public static Task<LocalCluster> OpenAsync(ClusterSpec stackSpec, LocalEngineOptions options, CancellationToken cancellationToken) =>
        OpenAsync(stackSpec, options, lockFor: null, cancellationToken);

    /// <summary>
    /// Opens the stack's cluster to change it: the stack lock (<see cref="StackLock"/>) is taken FIRST, then
    /// state.json is read, so what the verb acts on cannot change under it. The lock is held until disposal.
    /// </summary>
    public static Task<LocalCluster> OpenForChangeAsync(ClusterSpec stackSpec, LocalEngineOptions options, string verb, CancellationToken cancellationToken) =>
        OpenAsync(stackSpec, options, verb, cancellationToken);

    private static async Task<LocalCluster> OpenAsync(ClusterSpec stackSpec, LocalEngineOptions options, string? lockFor, CancellationToken cancellationToken)
    {
        var user = ServerUser.Detect();
        var layout = StateLayout.For(stackSpec.Stack, options.StateDirectory, user.SwitchesUser);
        var hold = lockFor is null ? null : StackLock.Acquire(layout, lockFor);
        try
        {
            var store = new EngineStateStore(layout, user);
            EngineState? state = null;
            string? unreadable = null;
            try
            {
                state = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (EngineStateUnreadableException) when (options.AdoptUnreadableState && hold is not null)
            {
                unreadable = store.SetAsideUnreadable();
            }

            return new LocalCluster(stackSpec, EffectiveSpec(stackSpec, state), layout, user, new ProcessRunner(user), store, state, options)
            {
                hold = hold,
                UnreadableState = unreadable,
            };
        }
        catch
        {
            hold?.Dispose();
            throw;
        }
    }

    /// <summary>The stack's spec with the recorded primary: `up` follows a switchover instead of undoing it.</summary>
    public static ClusterSpec EffectiveSpec(ClusterSpec stackSpec, EngineState? state)
    {
        if (state?.Primary is not { } recorded || recorded == stackSpec.Primary)
        {
            return stackSpec;
        }

        if (!stackSpec.HasNode(recorded))
        {
            throw new LocalEngineException(
                $"the engine state records {recorded} as the primary, but stack {stackSpec.Stack} has no node {recorded}; " +
                $"switch over to a node of the stack first, or add {recorded} back");
        }

        return stackSpec.WithPrimary(recorded);
    }

    /// <summary>Reloads the state (after a step that changed it) and re-derives the effective spec.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        State = await Store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var spec = EffectiveSpec(StackSpec, State);
        if (spec != Spec)
        {
            Spec = spec;
            Placement = LocalPlacement.Of(spec, Layout);
            // The old access may still be in a caller's hands (a promotion's runner): it stays usable, on the old
            // spec, until this cluster is disposed; the next AccessAsync builds one for the new spec.
            if (access is not null)
            {
                retired.Add(access);
                access = null;
            }
        }
    }

    /// <summary>Records a new primary (what switchover and failover call) and re-derives the spec.</summary>
    public async Task RecordPrimaryAsync(string node, string reason, CancellationToken cancellationToken)
    {
        await Store.UpdateAsync(StackSpec.Stack, StackSpec.Name, s => s.WithPrimary(node, reason), cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored credentials, or null before the first `up`.</summary>
    public Task<ClusterCredentials?> CredentialsAsync(CancellationToken cancellationToken) => LocalSecrets.ReadAsync(Spec, Layout, cancellationToken);

    /// <summary>Access to the running cluster with the stored credentials; null before the first `up`.</summary>
    public async Task<ClusterAccess?> AccessAsync(CancellationToken cancellationToken)
    {
        if (access is not null)
        {
            return access;
        }

        var credentials = await CredentialsAsync(cancellationToken).ConfigureAwait(false);
        if (credentials is null)
        {
            return null;
        }

        access = new ClusterAccess(Spec, Addresses, credentials);
        return access;
    }

    public async Task<ClusterAccess> RequireAccessAsync(CancellationToken cancellationToken) =>
        await AccessAsync(cancellationToken).ConfigureAwait(false)
        ?? throw new LocalEngineException($"stack {Spec.Stack} has no local cluster in {Layout.Root}: run `pgha up --stack {Spec.Stack}` first");

    /// <summary>Whether this instance holds the stack lock (opened with <see cref="OpenForChangeAsync"/>).</summary>
    public bool HoldsLock => hold is not null;

    /// <summary>The state directory, owned by the server user, with every parent searchable by it.</summary>
    internal void EnsureRoot()
    {
        if (User.SwitchesUser)
        {
            for (var dir = Path.GetDirectoryName(Layout.Root); dir is not null && dir != "/"; dir = Path.GetDirectoryName(dir))
            {
                if (!Directory.Exists(dir))
                {
                    Directory.CreateDirectory(dir, (UnixFileMode)0b111_101_101);
                }
            }
        }

        User.CreateDirectory(Layout.Root);
    }

    public async Task<PostgresBinaries> BinariesAsync(CancellationToken cancellationToken) =>
        await PostgresBinaries.LocateAsync(Spec.Postgres.Version, Runner, cancellationToken, Options.PostgresBinDirectory).ConfigureAwait(false);

    /// <summary>Disposes every access this cluster handed out, then releases the stack lock.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var handedOut in (ClusterAccess?[])[.. retired, access])
        {
            if (handedOut is not null)
            {
                await handedOut.DisposeAsync().ConfigureAwait(false);
            }
        }

        retired.Clear();
        access = null;

        hold?.Dispose();
        hold = null;
    }
}

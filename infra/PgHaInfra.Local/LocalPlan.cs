using System.Collections.Immutable;

namespace PgHaInfra.Local;

/// <summary>One setting whose installed value differs from the rendered one.</summary>
/// <param name="Old">The installed raw value, null when it was not set.</param>
/// <param name="New">The rendered raw value, null when the setting goes away (back to PostgreSQL's default).</param>
/// <param name="Context">pg_settings.context, or null when the node does not run.</param>
public sealed record SettingChange(string Name, string? Old, string? New, string? Context)
{
    /// <summary>postmaster-context settings take effect only at a restart.</summary>
    public bool NeedsRestart => Context is "postmaster" or "internal";
}

/// <summary>One step of a plan, and the sentence that says why.</summary>
public abstract record PlanAction(string Node, string Reason)
{
    /// <summary>A short verb for tables: create, remove, reload, ...</summary>
    public abstract string Kind { get; }
}

/// <summary>initdb (primary) or pg_basebackup from <paramref name="Upstream"/> (replica), then install and start.</summary>
/// <param name="Rebuild">A half-made data directory (or, with --rebuild NODE, a cluster) is removed first.</param>
public sealed record CreateNode(string Node, string? Upstream, bool Rebuild, string Reason) : PlanAction(Node, Reason)
{
    /// <summary>The directory it removes holds a database cluster: planned only with `up --rebuild NODE`.</summary>
    public bool DeletesCluster { get; init; }

    public override string Kind => Rebuild ? "rebuild" : "create";
}

/// <summary>Stop the server, delete its data directory and forget it; its slot is dropped by a <see cref="DropSlot"/>.</summary>
public sealed record RemoveNode(string Node, string Reason) : PlanAction(Node, Reason)
{
    public override string Kind => "remove";
}

/// <summary>
/// Bring a fenced node (a switchover or failover fenced it: it may have diverged) back as a replica of
/// <paramref name="Upstream"/>: stop it, pg_rewind it, install its files, start it and wait until it streams. Never a
/// plain start. A re-clone (which deletes its data directory) only where rewind is impossible and <paramref name="AllowReclone"/>.
/// </summary>
public sealed record RejoinNode(string Node, string Upstream, bool AllowReclone, string Reason) : PlanAction(Node, Reason)
{
    public override string Kind => "rejoin";
}

/// <summary>
/// Finish the promotion of the recorded primary, which runs in recovery: a switchover or failover recorded it and was
/// killed before pg_promote took effect. A promotion once requested is treated as done, so `up` finishes it (the
/// promotion `pgha failover --adopt` runs) rather than starting the fenced old primary again.
/// </summary>
public sealed record FinishPromotion(string Node, string Reason) : PlanAction(Node, Reason)
{
    public override string Kind => "promote";
}

/// <summary>Start a stopped node (after installing its files when they changed).</summary>
public sealed record StartNode(string Node, ImmutableArray<SettingChange> Changes, string Reason) : PlanAction(Node, Reason)
{
    public override string Kind => "start";
}

/// <summary>Install changed files and reload: every change takes effect without a restart.</summary>
public sealed record ReloadNode(string Node, ImmutableArray<SettingChange> Changes, string Reason) : PlanAction(Node, Reason)
{
    public override string Kind => "reload";
}

/// <summary>Install changed files; some change needs a restart, done only when <paramref name="Allowed"/> (--allow-restart).</summary>
public sealed record RestartNode(string Node, ImmutableArray<SettingChange> Changes, bool Allowed, string Reason) : PlanAction(Node, Reason)
{
    public override string Kind => Allowed ? "restart" : "restart needed";
}

/// <summary>
/// A replica runs but does not stream from <paramref name="Upstream"/>: restart it (with the rendered files and a
/// clean environment), and only if it still does not stream, make it again from its upstream (the last resort).
/// </summary>
public sealed record HealNode(string Node, string Upstream, string Reason) : PlanAction(Node, Reason)
{
    public override string Kind => "heal";
}

/// <summary>Create a physical slot, WAL reserved, for a replica that streams (or will stream) from <paramref name="Node"/>.</summary>
public sealed record CreateSlot(string Node, string Slot, string Reason) : PlanAction(Node, Reason)
{
    public override string Kind => "create slot";
}

/// <summary>
/// Drop a slot of pgha's naming that no replica streams through: an orphaned slot retains WAL until the disk fills.
/// Dropped only while inactive (<see cref="Operations.Failover.Slots.DropIfInactiveAsync"/>); a user's slot never gets one.
/// </summary>
public sealed record DropSlot(string Node, string Slot, string Reason) : PlanAction(Node, Reason)
{
    public override string Kind => "drop slot";
}

/// <summary>
/// What `up` will do to converge the local cluster to its spec, in order. Empty means converged. Problems are
/// conditions the engine refuses to act on by itself (for example a node the spec calls a replica that runs as a primary).
/// </summary>
public sealed record LocalPlan(string Stack, string Primary, ImmutableArray<PlanAction> Actions, ImmutableArray<string> Problems)
{
    /// <summary>What `up` saw and leaves alone on purpose, each with why: users' slots, slots still in use.</summary>
    public ImmutableArray<string> Notes { get; init; } = [];

    /// <summary>The actions that delete a data directory holding a database cluster, each allowed by an explicit consent.</summary>
    public IEnumerable<PlanAction> Destructive => Actions.Where(a => a is CreateNode { DeletesCluster: true } or RemoveNode);

    public bool IsEmpty => Actions.IsEmpty && Problems.IsEmpty;

    /// <summary>Restarts the plan needs but may not do without --allow-restart.</summary>
    public IEnumerable<RestartNode> PendingRestarts => Actions.OfType<RestartNode>().Where(r => !r.Allowed);

    /// <summary>True when only restarts that are not allowed remain: nothing will change.</summary>
    public bool ChangesNothing => Actions.All(a => a is RestartNode { Allowed: false }) && Problems.IsEmpty;

    public IEnumerable<PlanAction> For(string node) => Actions.Where(a => a.Node == node);
}

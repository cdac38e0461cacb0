using System.Collections.Immutable;

namespace PgHaInfra.Local;

/// <summary>How complete a node's data directory is.</summary>
public enum DataDirectoryState
{
    /// <summary>No data directory.</summary>
    Missing,

    /// <summary>
    /// pgha was making it (its creating marker is there) or it holds no cluster (no PG_VERSION or pg_control): an
    /// interrupted run. It is rebuilt without asking, since nothing in it can be lost.
    /// </summary>
    HalfMade,

    /// <summary>Made and recorded in the engine state.</summary>
    Complete,

    /// <summary>
    /// It holds a cluster (or files pgha did not mark as its own) that state.json does not record: state.json was lost,
    /// or the directory came from elsewhere. Never deleted by default: `up --adopt` records it, `up --rebuild NODE` replaces it.
    /// </summary>
    Unrecorded,
}

/// <summary>One pg_settings row the planner needs: how a change to the setting takes effect.</summary>
/// <param name="Context">pg_settings.context: postmaster needs a restart; sighup, superuser, user, backend reload.</param>
public sealed record SettingContext(string Name, string Context, bool PendingRestart);

/// <summary>What the engine saw of one node, on disk and, when it runs, from the server itself.</summary>
/// <param name="InstalledSettings">postgresql.conf as it is on disk: name to raw value.</param>
/// <param name="InstalledFiles">The content of each rendered file on disk (postgresql.conf, pg_hba.conf, standby.signal), by name.</param>
/// <param name="Settings">From pg_settings when the node runs; empty otherwise.</param>
/// <param name="InRecovery">pg_is_in_recovery() when the node runs and answers.</param>
/// <param name="Slots">Physical replication slots on the node, with the PID using each (null when inactive).</param>
public sealed record ObservedNode(
    string Name,
    DataDirectoryState Data,
    string? HalfMadeReason,
    bool Running,
    bool? InRecovery,
    ImmutableSortedDictionary<string, string> InstalledSettings,
    ImmutableDictionary<string, string> InstalledFiles,
    ImmutableDictionary<string, SettingContext> Settings,
    ImmutableSortedDictionary<string, int?> Slots)
{
    /// <summary>PG_VERSION and global/pg_control are there: deleting the directory would delete a database cluster.</summary>
    public bool HoldsCluster { get; init; }

    /// <summary>The fence marker's text when a switchover or failover fenced the node (it may have diverged); null otherwise.</summary>
    public string? Fence { get; init; }

    /// <summary>A running replica's WAL receiver, as it reported it; null when not asked (not running, or a primary).</summary>
    public ReceiverObservation? Receiver { get; init; }
}

/// <summary>
/// What a running replica says about its own streaming: pg_stat_wal_receiver's status (null: no receiver), and
/// whether its startup process waits out recovery_min_apply_delay (then it starts no receiver by design, note 17).
/// </summary>
public sealed record ReceiverObservation(string? Status, bool WaitsOutDelay)
{
    public bool Streams => Status == "streaming";
}

/// <summary>Everything the planner looks at: every node of the spec, plus nodes the engine made that the spec no longer has.</summary>
public sealed record ObservedCluster(ImmutableDictionary<string, ObservedNode> Nodes)
{
    public ObservedNode? Node(string name) => Nodes.GetValueOrDefault(name);
}

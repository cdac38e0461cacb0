using System.Collections.Immutable;
using Npgsql;
using PgHaInfra.Operations.Access;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Local;

/// <summary>
/// Looks at the local cluster as it is: each data directory (complete, half-made or missing), whether its server
/// runs, and, for running servers, what PostgreSQL itself reports (recovery, pg_settings contexts, slots).
/// </summary>
public static class ClusterObserver
{
    public static async Task<ObservedCluster> ObserveAsync(ClusterSpec spec, StateLayout layout, EngineState? state, ClusterAccess? access, CancellationToken cancellationToken)
    {
        var names = spec.Nodes.Select(n => n.Name)
            .Concat(state?.Nodes.Keys ?? [])
            .Concat(Directory.Exists(layout.DataRoot) ? Directory.EnumerateDirectories(layout.DataRoot).Select(d => Path.GetFileName(d)!) : [])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var observed = await Task.WhenAll(names.Select(n => ObserveNodeAsync(spec, layout, state, access, n, cancellationToken))).ConfigureAwait(false);
        return new ObservedCluster(observed.ToImmutableDictionary(n => n.Name, StringComparer.Ordinal));
    }

    private static async Task<ObservedNode> ObserveNodeAsync(ClusterSpec spec, StateLayout layout, EngineState? state, ClusterAccess? access, string name, CancellationToken cancellationToken)
    {
        var dataDirectory = layout.DataDirectory(name);
        var (data, reason) = DataState(layout, dataDirectory, state, name);
        var running = PostmasterPidFile.IsRunning(dataDirectory);
        var files = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var file in new[] { NodeFiles.PgHbaConf, NodeFiles.StandbySignal })
        {
            var path = Path.Combine(dataDirectory, file);
            if (File.Exists(path))
            {
                files[file] = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }

        bool? inRecovery = null;
        var settings = ImmutableDictionary<string, SettingContext>.Empty;
        var slots = ImmutableSortedDictionary<string, int?>.Empty;
        ReceiverObservation? receiver = null;
        if (running && data == DataDirectoryState.Complete && access is not null && spec.HasNode(name))
        {
            try
            {
                await using var connection = await access.DataSource(name).OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var batch = new NpgsqlBatch(connection)
                {
                    BatchCommands =
                    {
                        new("SELECT pg_catalog.pg_is_in_recovery()"),
                        new("SELECT name, context, pending_restart FROM pg_catalog.pg_settings"),
                        new("SELECT slot_name, active_pid FROM pg_catalog.pg_replication_slots WHERE slot_type = 'physical'"),
                        new("SELECT (SELECT status FROM pg_catalog.pg_stat_wal_receiver), " +
                            "EXISTS (SELECT FROM pg_catalog.pg_stat_activity WHERE backend_type = 'startup' AND wait_event = 'RecoveryApplyDelay')"),
                    },
                };
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                inRecovery = reader.GetBoolean(0);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                var settingsBuilder = ImmutableDictionary.CreateBuilder<string, SettingContext>(StringComparer.Ordinal);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    settingsBuilder[reader.GetString(0)] = new SettingContext(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2));
                }

                settings = settingsBuilder.ToImmutable();
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                var slotsBuilder = ImmutableSortedDictionary.CreateBuilder<string, int?>(StringComparer.Ordinal);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    slotsBuilder[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetInt32(1);
                }

                slots = slotsBuilder.ToImmutable();
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                receiver = inRecovery == true ? new ReceiverObservation(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetBoolean(1)) : null;
            }
            catch (NpgsqlException e)
            {
                throw new LocalEngineException($"{name} runs (pid file in {dataDirectory}) but does not answer on port {access.AddressOf(name).Port}: {e.Message}", e);
            }
        }

        var fence = Failover.Fence.IsFenced(dataDirectory) ? (await File.ReadAllTextAsync(Failover.Fence.MarkerPath(dataDirectory), cancellationToken).ConfigureAwait(false)).Trim() : null;
        return new ObservedNode(name, data, reason, running, inRecovery,
            await InstalledSettings.ReadAsync(dataDirectory, cancellationToken).ConfigureAwait(false), files.ToImmutable(), settings, slots)
        {
            HoldsCluster = HoldsCluster(dataDirectory),
            Fence = fence is null ? null : fence.Length == 0 ? "fenced" : fence,
            Receiver = receiver,
        };
    }

    /// <summary>PG_VERSION and global/pg_control: what makes a directory a database cluster.</summary>
    public static bool HoldsCluster(string dataDirectory) =>
        File.Exists(Path.Combine(dataDirectory, "PG_VERSION")) && File.Exists(Path.Combine(dataDirectory, "global", "pg_control"));

    /// <summary>
    /// Complete when the engine recorded it and the directory holds a cluster; half-made only when pgha marked it as
    /// being made, or it holds nothing; unrecorded (never deleted by default) when it holds what pgha cannot vouch for.
    /// A recorded replica without standby.signal stays complete: the planner installs the file again rather than deleting a cluster.
    /// </summary>
    public static (DataDirectoryState State, string? Reason) DataState(StateLayout layout, string dataDirectory, EngineState? state, string name)
    {
        if (!Directory.Exists(dataDirectory))
        {
            return (DataDirectoryState.Missing, null);
        }

        if (File.Exists(layout.CreatingMarker(name)))
        {
            return (DataDirectoryState.HalfMade, $"pgha was making it ({Path.GetFileName(layout.CreatingMarker(name))} is there): an earlier run was interrupted");
        }

        var holdsCluster = HoldsCluster(dataDirectory);
        if (state?.Nodes.GetValueOrDefault(name) is null)
        {
            if (holdsCluster || PostmasterPidFile.IsRunning(dataDirectory))
            {
                return (DataDirectoryState.Unrecorded, "holds a database cluster (PG_VERSION, global/pg_control) that state.json does not record: state.json was lost, or the directory came from elsewhere");
            }

            return Directory.EnumerateFileSystemEntries(dataDirectory).Any()
                ? (DataDirectoryState.Unrecorded, "holds files but no cluster, and pgha did not mark it as being made")
                : (DataDirectoryState.HalfMade, "it is empty");
        }

        return holdsCluster
            ? (DataDirectoryState.Complete, null)
            : (DataDirectoryState.HalfMade, "PG_VERSION or global/pg_control is missing: it holds no cluster");
    }
}

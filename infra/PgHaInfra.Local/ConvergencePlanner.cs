using System.Collections.Immutable;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Local;

/// <summary>
/// Decides what `up` must do: a pure function from the spec (with the engine's current primary) and what was
/// observed to a <see cref="LocalPlan"/>. Every action carries the sentence that justifies it.
/// </summary>
public static class ConvergencePlanner
{
    public static LocalPlan Plan(ClusterSpec spec, ClusterPlacement placement, ObservedCluster observed, bool allowRestart)
    {
        var actions = ImmutableArray.CreateBuilder<PlanAction>();
        var problems = ImmutableArray.CreateBuilder<string>();
        var madeAnew = new HashSet<string>(StringComparer.Ordinal);
        var drops = new List<PlanAction>();

        foreach (var extra in observed.Nodes.Values.Where(n => !spec.HasNode(n.Name) && n.Data != DataDirectoryState.Missing).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            actions.Add(new RemoveNode(extra.Name, $"{extra.Name} is not in stack {spec.Stack} any more: stop it and delete its data directory"));
        }

        foreach (var node in spec.InCreationOrder())
        {
            var seen = observed.Node(node.Name) ?? Missing(node.Name);
            var upstream = spec.UpstreamOf(node);
            if (seen.Data == DataDirectoryState.Missing)
            {
                actions.Add(new CreateNode(node.Name, upstream?.Name, false, upstream is null
                    ? $"{node.Name} has no data directory: initdb it as the primary"
                    : $"{node.Name} has no data directory: pg_basebackup it from {upstream.Name} through slot {node.SlotName}"));
                madeAnew.Add(node.Name);
                continue;
            }

            if (seen.Data == DataDirectoryState.HalfMade)
            {
                actions.Add(new CreateNode(node.Name, upstream?.Name, true,
                    $"{node.Name}'s data directory is half-made ({seen.HalfMadeReason}): remove it and make it again"));
                madeAnew.Add(node.Name);
                continue;
            }

            if (upstream is not null && madeAnew.Contains(spec.Primary))
            {
                actions.Add(new CreateNode(node.Name, upstream.Name, true,
                    $"{node.Name} is a copy of the old {spec.Primary}, which is made anew (a new system identifier): make it again from {upstream.Name}"));
                madeAnew.Add(node.Name);
                continue;
            }

            if (seen is { Running: true, InRecovery: { } inRecovery } && inRecovery == spec.IsPrimary(node))
            {
                problems.Add(spec.IsPrimary(node)
                    ? $"{node.Name} is the primary but runs as a replica (in recovery); pgha leaves it alone: promote it or fix the stack's primary"
                    : $"{node.Name} should be a replica of {upstream!.Name} but runs as a primary (not in recovery); pgha will not demote it: " +
                      "record the new primary with `pgha switchover`/`failover`, or rebuild it after `pgha down`");
                continue;
            }

            var changes = Changes(spec, placement, node, seen);
            if (!seen.Running && seen.Fenced && spec.IsPrimary(node))
            {
                // A switchover or failover fenced it and was interrupted before anything replaced it: a node that runs
                // as a primary would show as a problem above and stop up, so starting it again is the roll-back.
                actions.Add(new StartNode(node.Name, changes,
                    $"{node.Name} is the recorded primary, fenced by an interrupted switchover or failover, and no other node runs as a primary: lift the fence and start it as the primary"));
            }
            else if (!seen.Running)
            {
                actions.Add(new StartNode(node.Name, changes, changes.IsEmpty
                    ? $"{node.Name} is stopped: start it"
                    : $"{node.Name} is stopped: install its changed files ({Names(changes)}) and start it"));
            }
            else if (changes.Any(c => c.NeedsRestart))
            {
                var restart = Names(changes.Where(c => c.NeedsRestart));
                actions.Add(new RestartNode(node.Name, changes, allowRestart, allowRestart
                    ? $"{restart} on {node.Name} take effect only at a restart (postmaster context): install and restart"
                    : $"{restart} on {node.Name} take effect only at a restart (postmaster context); run `pgha up --allow-restart` to restart it"));
            }
            else if (!changes.IsEmpty)
            {
                actions.Add(new ReloadNode(node.Name, changes, $"{Names(changes)} on {node.Name} can change without a restart: install and reload"));
            }
            else if (Heal(node, upstream, seen, observed, actions) is { } heal)
            {
                actions.Add(heal);
            }

            if (seen.Running)
            {
                var expected = spec.DownstreamsOf(node).Select(d => d.SlotName).ToHashSet(StringComparer.Ordinal);
                foreach (var slot in expected.Where(s => !seen.Slots.ContainsKey(s)).Order(StringComparer.Ordinal))
                {
                    var downstream = spec.DownstreamsOf(node).First(d => d.SlotName == slot);
                    actions.Add(new CreateSlot(node.Name, slot, $"{downstream.Name} streams from {node.Name} and needs its slot {slot} there"));
                }

                foreach (var (slot, pid) in seen.Slots.Where(s => !expected.Contains(s.Key)))
                {
                    drops.Add(new DropSlot(node.Name, slot,
                        $"no replica of stack {spec.Stack} streams from {node.Name} through slot {slot}: an orphaned slot retains WAL until the disk fills" +
                        (pid is { } active ? $" (its user, pid {active}, is disconnected first)" : "")));
                }
            }
        }

        actions.AddRange(drops);
        return new LocalPlan(spec.Stack, spec.Primary, actions.ToImmutable(), problems.ToImmutable());
    }

    /// <summary>Rendered versus installed: every setting that differs, and the files that differ as a whole.</summary>
    public static ImmutableArray<SettingChange> Changes(ClusterSpec spec, ClusterPlacement placement, NodeSpec node, ObservedNode seen)
    {
        var desired = PostgresConf.Settings(spec, placement, node).ToDictionary(s => s.Name, s => s.Value, StringComparer.Ordinal);
        var installed = seen.InstalledSettings;
        var changes = ImmutableArray.CreateBuilder<SettingChange>();
        foreach (var name in desired.Keys.Union(installed.Keys).Order(StringComparer.Ordinal))
        {
            var want = desired.GetValueOrDefault(name);
            var have = installed.GetValueOrDefault(name);
            if (want != have)
            {
                changes.Add(new SettingChange(name, have, want, seen.Settings.GetValueOrDefault(name)?.Context));
            }
        }

        var rendered = NodeFiles.Render(spec, placement, node, BootstrapSql.VerifierPlaceholder);
        foreach (var file in ConfigInstaller.InstalledFiles(rendered).Where(f => f.Name != NodeFiles.PostgresqlConf))
        {
            if (seen.InstalledFiles.GetValueOrDefault(file.Name) != file.Content)
            {
                var context = file.Name == NodeFiles.StandbySignal ? "postmaster" : "sighup";
                changes.Add(new SettingChange(file.Name, seen.InstalledFiles.ContainsKey(file.Name) ? "(differs)" : "(missing)", "(rendered)", context));
            }
        }

        foreach (var pending in seen.Settings.Values.Where(s => s.PendingRestart && changes.All(c => c.Name != s.Name)).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            changes.Add(new SettingChange(pending.Name, "(running value)", installed.GetValueOrDefault(pending.Name) ?? "(default)", "postmaster"));
        }

        return changes.ToImmutable();
    }

    /// <summary>
    /// A running replica whose files are as rendered but that does not stream from a running, untouched upstream
    /// (a server started with a stray PGPASSWORD, a broken passfile) needs healing. A delayed replica waiting out its
    /// delay starts no WAL receiver by design and is left alone.
    /// </summary>
    private static HealNode? Heal(NodeSpec node, NodeSpec? upstream, ObservedNode seen, ObservedCluster observed, IEnumerable<PlanAction> planned)
    {
        if (upstream is null || seen is not { Running: true, InRecovery: true, Receiver: { Streams: false } receiver } || receiver.WaitsOutDelay
            || observed.Node(upstream.Name) is not { Running: true, Data: DataDirectoryState.Complete } || planned.Any(a => a.Node == upstream.Name))
        {
            return null;
        }

        var why = receiver.Status is null ? "it has no WAL receiver" : $"its WAL receiver is {receiver.Status}";
        return new HealNode(node.Name, upstream.Name,
            $"{node.Name} runs but does not stream from {upstream.Name} ({why}): restart it so it reconnects with its rendered primary_conninfo and a clean environment; " +
            $"only if it still does not stream, make it again from {upstream.Name} (last resort)");
    }

    private static string Names(IEnumerable<SettingChange> changes) => string.Join(", ", changes.Select(c => c.Name));

    private static ObservedNode Missing(string name) => new(
        name, DataDirectoryState.Missing, null, false, null,
        ImmutableSortedDictionary<string, string>.Empty, ImmutableDictionary<string, string>.Empty,
        ImmutableDictionary<string, SettingContext>.Empty, ImmutableSortedDictionary<string, int?>.Empty);
}

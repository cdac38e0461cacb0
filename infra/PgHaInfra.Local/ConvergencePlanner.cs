using System.Collections.Immutable;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Local;

/// <summary>
/// Decides what `up` must do: a pure function from the spec (with the engine's current primary) and what was
/// observed to a <see cref="LocalPlan"/>. Every action carries the sentence that justifies it.
/// </summary>
public static class ConvergencePlanner
{
    public static LocalPlan Plan(ClusterSpec spec, ClusterPlacement placement, ObservedCluster observed, bool allowRestart) =>
        Plan(spec, placement, observed, allowRestart, UpConsent.None);

    /// <param name="consent">What the user allowed beyond the safe defaults (--rebuild, --allow-reclone).</param>
    public static LocalPlan Plan(ClusterSpec spec, ClusterPlacement placement, ObservedCluster observed, bool allowRestart, UpConsent consent)
    {
        var actions = ImmutableArray.CreateBuilder<PlanAction>();
        var problems = ImmutableArray.CreateBuilder<string>();
        var notes = ImmutableArray.CreateBuilder<string>();
        var madeAnew = new HashSet<string>(StringComparer.Ordinal);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        var drops = new List<PlanAction>();
        var known = spec.Nodes.Select(n => n.Name).Concat(observed.Nodes.Keys).ToHashSet(StringComparer.Ordinal);

        foreach (var extra in observed.Nodes.Values.Where(n => !spec.HasNode(n.Name) && n.Data != DataDirectoryState.Missing).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            // Scaling down removes a replica the engine made: what it holds is a copy of the primary's data.
            if (extra.Data == DataDirectoryState.Unrecorded)
            {
                problems.Add($"{extra.Name} is not in stack {spec.Stack}, and its data directory is not one pgha recorded ({extra.HalfMadeReason}); " +
                             "pgha will not delete it: move it away by hand if it is not needed");
                continue;
            }

            if (extra is { Running: true, InRecovery: false })
            {
                problems.Add($"{extra.Name} is not in stack {spec.Stack} but runs as a primary (not in recovery); pgha will not delete a writable node: stop it, or add it back to the stack");
                continue;
            }

            actions.Add(new RemoveNode(extra.Name, $"{extra.Name} is not in stack {spec.Stack} any more: stop it and delete its data directory (a replica's copy; consent: its removal from the stack file)"));
            removed.Add(extra.Name);
        }

        foreach (var node in spec.InCreationOrder())
        {
            var seen = observed.Node(node.Name) ?? Missing(node.Name);
            var upstream = spec.UpstreamOf(node);
            var rebuild = consent.Rebuilds(node.Name) && seen.Data != DataDirectoryState.Missing;
            if (seen.Data == DataDirectoryState.Missing)
            {
                actions.Add(new CreateNode(node.Name, upstream?.Name, false, upstream is null
                    ? $"{node.Name} has no data directory: initdb it as the primary"
                    : $"{node.Name} has no data directory: pg_basebackup it from {upstream.Name} through slot {node.SlotName}"));
                madeAnew.Add(node.Name);
                continue;
            }

            if (rebuild)
            {
                actions.Add(new CreateNode(node.Name, upstream?.Name, true,
                    $"`--rebuild {node.Name}` consents: delete its data directory{(seen.HoldsCluster ? ", which holds a cluster," : "")} and make it again " +
                    (upstream is null ? "with initdb (a new, empty cluster)" : $"from {upstream.Name}"))
                {
                    DeletesCluster = seen.HoldsCluster,
                });
                madeAnew.Add(node.Name);
                continue;
            }

            if (seen.Data == DataDirectoryState.Unrecorded)
            {
                problems.Add($"{node.Name}'s data directory {seen.HalfMadeReason}; pgha will not delete it. " +
                             $"Adopt what is there with `pgha up --adopt`, or delete it and make it again with `pgha up --rebuild {node.Name}`");
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
                problems.Add($"{node.Name} holds a copy of {spec.Primary}'s old cluster, and {spec.Primary} is made anew (a new system identifier); " +
                             $"pgha will not delete {node.Name}'s copy, which may be the only one left: consent with `pgha up --rebuild {node.Name}`, or bring {spec.Primary}'s data back");
                continue;
            }

            if (seen.Fence is { } fence)
            {
                if (upstream is null && !seen.Running && WritableOthers(observed, node.Name).Count == 0)
                {
                    // A switchover or failover fenced the recorded primary and was killed before anything replaced it
                    // (the target is recorded before pg_promote, so a promoted node would be the recorded one): starting
                    // it again is the roll-back. Any node running as a primary keeps this from happening.
                    actions.Add(new StartNode(node.Name, Changes(spec, placement, node, seen),
                        $"{node.Name} is the recorded primary, fenced by an interrupted switchover or failover, and no other node runs as a primary: lift the fence and start it as the primary"));
                    continue;
                }

                if (upstream is null)
                {
                    problems.Add($"{node.Name} is the primary but is fenced ({fence}); pgha will not start a fenced node as a primary: " +
                                 "adopt the node that is writable with `pgha failover --adopt NODE`, or fail over to a replica");
                    continue;
                }

                actions.Add(new RejoinNode(node.Name, upstream.Name, consent.AllowReclone,
                    $"{node.Name} is fenced ({fence}): it may have diverged, so it rejoins as a replica of {upstream.Name} through pg_rewind, never a plain start; " +
                    (consent.AllowReclone ? "if rewind is impossible it is re-cloned (--allow-reclone)" : "if rewind is impossible it stays fenced (re-clone only with --allow-reclone)")));
                continue;
            }

            if (seen is { Running: true, InRecovery: true } && upstream is null && WritableOthers(observed, node.Name).Count == 0)
            {
                // Recorded before pg_promote, so a kill between the two leaves exactly this: finishing it is the only
                // way forward that promotes no second node (the old primary stays fenced and rejoins).
                actions.Add(new FinishPromotion(node.Name,
                    $"{node.Name} is the recorded primary but runs in recovery (a switchover or failover recorded it and was interrupted before pg_promote took effect), " +
                    "and no other node accepts writes: a promotion once requested is treated as done, so finish it"));
                continue;
            }

            if (seen is { Running: true, InRecovery: { } inRecovery } && inRecovery == spec.IsPrimary(node))
            {
                problems.Add(spec.IsPrimary(node)
                    ? $"{node.Name} is the primary but runs as a replica (in recovery), and {string.Join(", ", WritableOthers(observed, node.Name))} accepts writes; " +
                      "pgha will not promote a second primary: adopt the writable node with `pgha failover --adopt NODE`, or stop it"
                    : $"{node.Name} should be a replica of {upstream!.Name} but runs as a primary (not in recovery); pgha will not demote it: " +
                      $"if it should be the primary, record it with `pgha failover --adopt {node.Name}`; otherwise stop it and `pgha up --rebuild {node.Name}`");
                continue;
            }

            var changes = Changes(spec, placement, node, seen);
            if (!seen.Running)
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
                    if (!Slots.IsPghas(slot, known))
                    {
                        notes.Add($"slot {slot} on {node.Name} is not of pgha's naming: a user's slot (pg_receivewal, Barman, ...); left alone" + (pid is { } user ? $" (in use by pid {user})" : " (inactive: it retains WAL)"));
                    }
                    else if (pid is { } active && !removed.Any(r => Slots.IsPghas(slot, [r])))
                    {
                        notes.Add($"slot {slot} on {node.Name} is pgha's but no replica of stack {spec.Stack} should stream through it, and pid {active} does: left until nothing streams through it");
                    }
                    else
                    {
                        drops.Add(new DropSlot(node.Name, slot,
                            $"no replica of stack {spec.Stack} streams from {node.Name} through slot {slot}: an orphaned slot retains WAL until the disk fills (dropped only while inactive)"));
                    }
                }
            }
        }

        actions.AddRange(drops);
        return new LocalPlan(spec.Stack, spec.Primary, actions.ToImmutable(), problems.ToImmutable()) { Notes = notes.ToImmutable() };
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

    /// <summary>The nodes other than <paramref name="node"/> that run out of recovery (accept writes).</summary>
    private static List<string> WritableOthers(ObservedCluster observed, string node) =>
        [.. observed.Nodes.Values.Where(n => n.Name != node && n is { Running: true, InRecovery: false }).Select(n => n.Name).Order(StringComparer.Ordinal)];

    private static string Names(IEnumerable<SettingChange> changes) => string.Join(", ", changes.Select(c => c.Name));

    private static ObservedNode Missing(string name) => new(
        name, DataDirectoryState.Missing, null, false, null,
        ImmutableSortedDictionary<string, string>.Empty, ImmutableDictionary<string, string>.Empty,
        ImmutableDictionary<string, SettingContext>.Empty, ImmutableSortedDictionary<string, int?>.Empty);
}

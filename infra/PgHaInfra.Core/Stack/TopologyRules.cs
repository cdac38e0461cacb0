using PgHaInfra.Spec;

namespace PgHaInfra.Stack;

/// <summary>Rules that span keys: replica counts per topology, upstream chains, synchronous standbys, thresholds.</summary>
internal static class TopologyRules
{
    public static void Check(ClusterSpec spec, IReadOnlyDictionary<string, int?> locations, List<StackError> errors)
    {
        var context = new RuleContext(spec, locations, errors);
        var names = spec.Nodes.Select(n => n.Name).ToArray();

        CheckUnique(context, spec.Nodes.Select(n => n.Name), n => n, "name", "is used by another node", "a name used by exactly one node");
        CheckUnique(context, spec.Nodes.Select(n => n.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), n => n, "port",
            "is used by another node", "a port used by exactly one node");

        if (!spec.HasNode(spec.Primary))
        {
            context.Error("primary", spec.Primary, "is not one of the nodes", string.Join(", ", names), Spelling.Nearest(spec.Primary, names));
            return;
        }

        CheckReplicaCount(context);
        var before = context.Count;
        CheckUpstreams(context, names);
        var upstreamsValid = context.Count == before;
        CheckTopologyShape(context, upstreamsValid);

        // Synchronous standbys are judged by their upstream; with an upstream that names no node there is none to walk.
        if (upstreamsValid)
        {
            CheckSynchronous(context);
        }

        if (spec.Endpoints.Write == spec.Endpoints.Read)
        {
            context.Error("endpoints.read", spec.Endpoints.Read, "is the same name as the write endpoint", "a DNS name different from endpoints.write");
        }

        if (spec.Lag.WarningBytes >= spec.Lag.CriticalBytes)
        {
            context.Error("lag.warningBytes", spec.Lag.WarningBytes.ToPostgres(), $"must be below lag.criticalBytes ({spec.Lag.CriticalBytes.ToPostgres()})", "a size smaller than the critical level");
        }

        if (spec.Lag.WarningTime >= spec.Lag.CriticalTime)
        {
            context.Error("lag.warningTime", DurationText.ToPostgres(spec.Lag.WarningTime), $"must be below lag.criticalTime ({DurationText.ToPostgres(spec.Lag.CriticalTime)})", "a duration shorter than the critical level");
        }

        if (spec.Wal.MaxSlotKeepSize is { } cap && cap < spec.Wal.KeepSize)
        {
            context.Error("wal.maxSlotKeepSize", cap.ToPostgres(), $"is below wal.keepSize ({spec.Wal.KeepSize.ToPostgres()}), so a slot would be invalidated while WAL is still kept",
                "a size at least wal.keepSize, or unlimited");
        }
    }

    private static void CheckUnique(RuleContext context, IEnumerable<string> values, Func<string, string> show, string field, string problem, string allowed)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (value, node) in values.Zip(context.Spec.Nodes))
        {
            if (!seen.Add(value))
            {
                context.Error(context.NodePath(node, field), show(value), problem, allowed);
            }
        }
    }

    private static void CheckReplicaCount(RuleContext context)
    {
        var spec = context.Spec;
        var (min, max) = spec.Topology switch
        {
            Topology.Single => (0, 0),
            Topology.Cascading => (2, ClusterSpecReader.MaxReplicas),
            _ => (1, ClusterSpecReader.MaxReplicas),
        };
        if (spec.ReplicaCount < min || spec.ReplicaCount > max)
        {
            var allowed = min == max ? $"exactly {min} replicas (1 node)" : $"{min} to {max} replicas ({min + 1} to {max + 1} nodes)";
            context.Error("nodes", Count(spec.Nodes.Length, "node"), $"gives {Count(spec.ReplicaCount, "replica")}, out of range for topology {spec.Topology.ToString().ToLowerInvariant()}", allowed);
        }
    }

    private static string Count(int n, string noun) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? "" : "s")}");

    private static void CheckUpstreams(RuleContext context, string[] names)
    {
        var spec = context.Spec;
        foreach (var node in spec.Nodes)
        {
            if (node.Upstream is not { } upstream)
            {
                continue;
            }

            var path = context.NodePath(node, "upstream");
            if (spec.IsPrimary(node))
            {
                context.Error(path, upstream, $"is set on {node.Name}, the primary, which streams from no one", "no upstream on the primary: remove it, or make another node primary");
            }
            else if (upstream == node.Name)
            {
                context.Error(path, upstream, "names the node itself", "another node of the cluster");
            }
            else if (!spec.HasNode(upstream))
            {
                context.Error(path, upstream, "is not one of the nodes", string.Join(", ", names), Spelling.Nearest(upstream, names));
            }
        }

        // Only with every upstream resolvable can a chain be walked; a cycle never reaches the primary.
        if (spec.Nodes.All(n => n.Upstream is null || (spec.HasNode(n.Upstream) && n.Upstream != n.Name && !spec.IsPrimary(n))))
        {
            foreach (var node in spec.Nodes)
            {
                var chain = new List<string> { node.Name };
                for (var current = node; current.Upstream is { } next && !spec.IsPrimary(current); current = spec.Node(next))
                {
                    if (chain.Contains(next))
                    {
                        chain.Add(next);
                        context.Error(context.NodePath(node, "upstream"), node.Upstream, $"forms a cycle: {string.Join(" -> ", chain)}",
                            "upstream chains that end at the primary");
                        return;
                    }

                    chain.Add(next);
                }
            }
        }

        foreach (var node in spec.Nodes.Where(n => n.IsDelayed && spec.IsPrimary(n)))
        {
            context.Error(context.NodePath(node, "delay"), DurationText.ToPostgres(node.ApplyDelay!.Value), "is set on the primary, which applies no WAL from anyone", "a delay on replicas only");
        }
    }

    private static void CheckTopologyShape(RuleContext context, bool upstreamsValid)
    {
        var spec = context.Spec;
        if (context.Spec.Nodes.Any(n => n.Upstream is not null && !spec.HasNode(n.Upstream)))
        {
            return;
        }

        var cascading = spec.Replicas.Where(r => spec.UpstreamOf(r) is { } up && !spec.IsPrimary(up)).ToList();
        if (spec.Topology == Topology.Async && cascading.Count > 0)
        {
            var node = cascading[0];
            context.Error(context.NodePath(node, "upstream"), node.Upstream, $"makes {node.Name} stream from replica {node.Upstream}, which topology async does not allow",
                "in topology async, replicas stream from the primary; use topology cascading (or sync) for replicas of replicas");
        }

        // With a broken upstream already reported, "no cascading replica" is only its echo.
        if (spec.Topology == Topology.Cascading && cascading.Count == 0 && upstreamsValid)
        {
            context.Error("topology", "cascading", "needs at least one replica whose upstream is another replica", "set upstream on a node to a replica's name, or use topology async");
        }

        if (spec.Topology == Topology.Sync && spec.Synchronous is null)
        {
            context.Error("synchronous", null, "is required by topology sync", "a mapping with method (first or any), count, standbys and commit", at: "topology");
        }

        if (spec.Topology != Topology.Sync && spec.Synchronous is not null)
        {
            context.Error("synchronous", null, $"is set, but topology is {spec.Topology.ToString().ToLowerInvariant()}", "synchronous only with topology sync");
        }
    }

    private static void CheckSynchronous(RuleContext context)
    {
        var spec = context.Spec;
        if (spec.Synchronous is not { } sync || spec.Topology != Topology.Sync)
        {
            return;
        }

        var direct = spec.Replicas.Where(r => spec.UpstreamOf(r)?.Name == spec.Primary).ToList();
        var standbys = sync.Standbys.IsDefaultOrEmpty
            ? [.. direct.Where(r => !r.IsDelayed).Select(r => r.Name)]
            : sync.Standbys;
        var names = spec.Nodes.Select(n => n.Name).ToArray();

        foreach (var name in standbys.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            context.Error("synchronous.standbys", name, "is listed twice", "each standby once");
        }

        foreach (var name in standbys.Distinct())
        {
            if (!spec.HasNode(name))
            {
                context.Error("synchronous.standbys", name, "is not one of the nodes", string.Join(", ", names), Spelling.Nearest(name, names));
            }
            else if (name == spec.Primary)
            {
                context.Error("synchronous.standbys", name, "is the primary, which cannot be its own standby", "replicas that stream from the primary");
            }
            else if (spec.UpstreamOf(spec.Node(name))?.Name != spec.Primary)
            {
                context.Error("synchronous.standbys", name, $"streams from {spec.Node(name).Upstream}, not from the primary; a cascading replica cannot be synchronous",
                    "replicas that stream from the primary");
            }
            else if (spec.Node(name).IsDelayed)
            {
                context.Error("synchronous.standbys", name, "is a delayed replica; commits would wait for its delay", "replicas without delay");
            }
        }

        var candidates = standbys.Distinct().Count(spec.HasNode);
        if (sync.Count > candidates)
        {
            context.Error("synchronous.count", sync.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"is larger than the number of synchronous standbys ({candidates}); every commit would wait forever",
                $"a number from 1 to {Math.Max(1, candidates)}");
        }
    }
}

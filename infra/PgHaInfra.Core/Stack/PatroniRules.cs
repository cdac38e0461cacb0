using System.Globalization;
using PgHaInfra.Spec;

namespace PgHaInfra.Stack;

/// <summary>
/// What failover.mode: patroni demands of the rest of the stack, judged against Patroni 3.0.2 (Debian 12):
/// the lease arithmetic, priority-only synchronous replication, the size of etcd, and ports that do not collide.
/// </summary>
internal static class PatroniRules
{
    /// <summary>The first Patroni release with quorum-based synchronous replication (synchronous_mode: quorum).</summary>
    public const string QuorumVersion = "4.0.0";

    /// <summary>Patroni's default watchdog.safety_margin (seconds), which pgha does not change.</summary>
    public const int WatchdogSafetyMargin = 5;

    public static void Check(ClusterSpec spec, IReadOnlyDictionary<string, int?> locations, List<StackError> errors)
    {
        if (spec.Failover.Patroni is not { } patroni)
        {
            return;
        }

        var context = new RuleContext(spec, locations, errors);
        string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

        var t = patroni.Timings;
        if (!t.FitsLease)
        {
            var at = locations.ContainsKey("failover.ttl") ? "failover.ttl" : locations.ContainsKey("failover.retryTimeout") ? "failover.retryTimeout" : "failover.profile";
            context.Error(at, Text(at == "failover.ttl" ? t.Ttl : at == "failover.retryTimeout" ? t.RetryTimeout : t.Ttl),
                $"breaks Patroni's lease rule loop_wait + 2 x retry_timeout <= ttl ({t.LoopWait} + 2 x {t.RetryTimeout} = {t.LoopWait + 2 * t.RetryTimeout} > ttl {t.Ttl}): the leader could lose its key while still retrying",
                $"a ttl of at least {t.LoopWait + 2 * t.RetryTimeout}, or a shorter loopWait/retryTimeout (the fast profile is ttl 5, loopWait 1, retryTimeout 2)", at: "failover");
        }

        // Patroni 3.0.2 arms a watchdog for ttl - safety_margin (5 s) and needs loop_wait of slack inside that; with
        // less it uses none, and with mode required it then refuses to lead at all (watchdog/base.py: timing_slack < 0).
        if (patroni.Watchdog == "required" && t.Ttl - WatchdogSafetyMargin - t.LoopWait < 0)
        {
            var at = locations.ContainsKey("failover.watchdog") ? "failover.watchdog" : "failover.profile";
            context.Error(at, at == "failover.watchdog" ? "required" : patroni.Profile.ToString().ToLowerInvariant(),
                $"watchdog required with ttl {t.Ttl} and loop_wait {t.LoopWait}: Patroni {PatroniSpec.SupportedVersion} sets its watchdog to ttl - {WatchdogSafetyMargin} s (safety_margin) and needs loop_wait of slack inside it, so it would find no safe watchdog and never take the lead",
                $"a ttl of at least {t.LoopWait + WatchdogSafetyMargin} (profile default), or watchdog off/automatic where pgha's node supervisor and its lease guard fence alone", at: "failover");
        }

        if (spec.Synchronous is { Method: SyncMethod.Any } sync && spec.Topology == Topology.Sync)
        {
            context.Error("synchronous.method", "any",
                $"quorum (ANY {sync.Count}) synchronous replication is not available with failover.mode patroni: Patroni {PatroniSpec.SupportedVersion} has only priority synchronous mode, and quorum came with Patroni {QuorumVersion} (synchronous_mode: quorum)",
                "first (Patroni picks the synchronous standbys in priority order), or failover.mode manual for ANY k", at: "synchronous");
        }

        if (patroni.SynchronousMode && spec.Topology != Topology.Sync)
        {
            context.Error("failover.synchronousMode", "true", $"needs topology sync; the stack's topology is {spec.Topology.ToString().ToLowerInvariant()}",
                "topology: sync with a synchronous section, or synchronousMode: false");
        }
        else if (!patroni.SynchronousMode && spec.Topology == Topology.Sync)
        {
            context.Error("failover.synchronousMode", "false", "contradicts topology sync: without synchronous mode Patroni may promote a standby that lacks acknowledged commits",
                "true (the default for topology sync), or another topology");
        }

        if (patroni.SynchronousModeStrict && !patroni.SynchronousMode)
        {
            context.Error("failover.synchronousModeStrict", "true", "needs synchronous mode (topology sync)", "false, or topology sync");
        }

        if (spec.Synchronous is { } s && spec.SynchronousCandidates.Count() < s.Count && patroni.SynchronousModeStrict)
        {
            context.Error("synchronous.count", Text(s.Count), "is more than the synchronous candidates, and strict mode would block every commit", $"at most {spec.SynchronousCandidates.Count()}");
        }

        if (patroni.Dcs.Members is not (1 or 3 or 5))
        {
            context.Error("failover.dcs.members", Text(patroni.Dcs.Members), "must be odd so that a majority exists", "1 (local and dev), 3 or 5");
        }
        else if (patroni.Dcs.Members == 1 && spec.Environment == DeploymentEnvironment.Production)
        {
            context.Error("failover.dcs.members", "1", "is a single point of failure in a production stack: losing it demotes the primary", "3 or 5", at: "failover.dcs");
        }

        if (!spec.Replicas.Any(r => !r.IsDelayed))
        {
            context.Error("nodes", null, "has no replica Patroni could promote (a delayed replica is tagged nofailover)", "at least one replica without a delay", at: "failover");
        }

        CheckPorts(context, spec, patroni);
    }

    /// <summary>Every port the stack binds is used once: PostgreSQL, Patroni REST, etcd client and peer, HAProxy.</summary>
    private static void CheckPorts(RuleContext context, ClusterSpec spec, PatroniSpec patroni)
    {
        var owners = new Dictionary<int, string>();
        foreach (var node in spec.Nodes)
        {
            owners.TryAdd(node.Port, $"{node.Name}'s PostgreSQL");
        }

        void Claim(int port, string owner, string path)
        {
            if (port == 0)
            {
                return;
            }

            if (port > 65535)
            {
                context.Error(path, port.ToString(CultureInfo.InvariantCulture), $"puts {owner} beyond port 65535", "a lower first port");
            }
            else if (!owners.TryAdd(port, owner))
            {
                context.Error(path, port.ToString(CultureInfo.InvariantCulture), $"puts {owner} on port {port}, which {owners[port]} already uses", "ports used by exactly one process");
            }
        }

        foreach (var node in spec.Nodes)
        {
            Claim(patroni.RestPortOf(spec, node), $"{node.Name}'s Patroni REST API", "failover.restPort");
        }

        for (var i = 0; i < patroni.Dcs.Members; i++)
        {
            Claim(patroni.Dcs.ClientPortOf(i), $"{DcsSpec.MemberName(i)}'s client port", "failover.dcs.port");
            Claim(patroni.Dcs.PeerPortOf(i), $"{DcsSpec.MemberName(i)}'s peer port", "failover.dcs.port");
        }

        if (patroni.Haproxy is { } haproxy)
        {
            Claim(haproxy.WritePort, "HAProxy's write port", "failover.haproxy.writePort");
            Claim(haproxy.ReadPort, "HAProxy's read port", "failover.haproxy.readPort");
        }
    }
}

using System.Collections.Immutable;
using PgHaInfra.Spec;

namespace PgHaInfra.Stack;

public static partial class ClusterSpecReader
{
    private sealed partial class Reader
    {
        /// <summary>
        /// failover: mode, and in patroni mode the lease timings (a profile, or explicit ttl/loopWait/retryTimeout),
        /// the lag limit, synchronous mode, the watchdog, etcd and the ports of Patroni's REST API and HAProxy.
        /// Keys that only Patroni reads are refused in manual mode, so a stack never carries settings nothing uses.
        /// </summary>
        private FailoverSpec Failover(Dictionary<string, ConfigNode> failover, Dictionary<string, ConfigNode> top, ImmutableArray<NodeSpec> nodes)
        {
            var mode = Enum(failover, "failover.mode", required: false, FailoverMode.Manual);
            if (mode != FailoverMode.Patroni)
            {
                foreach (var path in failover.Keys.Where(k => k != "failover.mode"))
                {
                    Error(path, failover[path], "is a Patroni setting, and failover.mode is not patroni", "mode: patroni, or remove the key");
                }

                return new FailoverSpec(mode);
            }

            var profile = Enum(failover, "failover.profile", required: false, PatroniProfile.Default);
            var preset = PatroniSpec.TimingsOf(profile);
            var timings = new PatroniTimings(
                Int(failover, "failover.ttl", 1, 3600, preset.Ttl),
                Int(failover, "failover.loopWait", 1, 3600, preset.LoopWait),
                Int(failover, "failover.retryTimeout", 1, 3600, preset.RetryTimeout));
            var environment = Text(top, "environment");
            var dcs = Section(failover, "failover.dcs", StackKeys.FailoverDcs);
            var defaultMembers = environment is null or "development" ? 1 : 3;
            var members = Int(dcs, "failover.dcs.members", 1, 5, defaultMembers);
            if (!failover.ContainsKey("failover.dcs") || !dcs.ContainsKey("failover.dcs.port"))
            {
                Error("failover.dcs.port", null, "is required in patroni mode", "the first etcd member's client port (1024 to 65535); member i uses port + 2i and its peer port + 2i + 1",
                    line: Locations.GetValueOrDefault("failover.dcs") ?? Locations.GetValueOrDefault("failover"));
            }

            var dcsPort = Int(dcs, "failover.dcs.port", 1024, 65535, 0);
            if (!failover.ContainsKey("failover.restPort"))
            {
                Error("failover.restPort", null, "is required in patroni mode", $"the first node's Patroni REST port (1024 to 65535); node i uses restPort + i, {nodes.Length} in all",
                    line: Locations.GetValueOrDefault("failover"));
            }

            var restPort = Int(failover, "failover.restPort", 1024, 65535, 0);
            HaproxySpec? haproxy = null;
            if (failover.ContainsKey("failover.haproxy"))
            {
                var fields = Section(failover, "failover.haproxy", StackKeys.FailoverHaproxy);
                foreach (var key in StackKeys.FailoverHaproxy.Where(k => !fields.ContainsKey($"failover.haproxy.{k}")))
                {
                    Error($"failover.haproxy.{key}", null, "is required with failover.haproxy", "a TCP port from 1024 to 65535", line: Locations.GetValueOrDefault("failover.haproxy"));
                }

                haproxy = new HaproxySpec(Int(fields, "failover.haproxy.writePort", 1024, 65535, 0), Int(fields, "failover.haproxy.readPort", 1024, 65535, 0));
            }

            var topology = Text(top, "topology");
            var watchdog = Scalar(failover, "failover.watchdog") ?? (environment == "production" ? "required" : "off");
            if (!PatroniSpec.WatchdogModes.Contains(watchdog))
            {
                Error("failover.watchdog", failover["failover.watchdog"], "is not a Patroni watchdog mode", string.Join(", ", PatroniSpec.WatchdogModes),
                    Spelling.Nearest(watchdog, PatroniSpec.WatchdogModes) is { } near ? $"\"{near}\"" : null);
            }

            return new FailoverSpec(mode, new PatroniSpec(
                profile,
                timings,
                Size(failover, "failover.maximumLagOnFailover") ?? PatroniSpec.DefaultMaximumLag,
                Bool(failover, "failover.synchronousMode", topology == "sync"),
                Bool(failover, "failover.synchronousModeStrict", false),
                watchdog,
                new DcsSpec(members, dcsPort),
                restPort,
                haproxy));
        }

        /// <summary>A key another part of the reader judges: its text, without reporting it a second time.</summary>
        private static string? Text(Dictionary<string, ConfigNode> map, string path) => map.GetValueOrDefault(path) is ConfigScalar scalar ? scalar.Text : null;
    }
}

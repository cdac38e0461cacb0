using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using PgHaInfra.Rendering;
using PgHaInfra.Rendering.Patroni;
using PgHaInfra.Spec;

namespace PgHaInfra.Local.Patroni;

/// <summary>One difference between the spec and Patroni's dynamic configuration, with its reason.</summary>
public sealed record DynamicChange(string Key, string? Current, string? Wanted)
{
    public string Reason => Current is null
        ? $"{Key}: set to {Wanted} (the stack sets it; Patroni's configuration lacks it)"
        : Wanted is null ? $"{Key}: {Current} removed (the stack no longer sets it)" : $"{Key}: {Current} -> {Wanted} (the stack says {Wanted})";
}

/// <summary>
/// Pure: what `plan` and `up` change in Patroni's dynamic configuration (GET/PATCH /config) so that it matches the
/// spec: the lease timings, lag limit, synchronous mode and the cluster's PostgreSQL parameters. Changing them
/// there, not in files behind Patroni's back, is what makes every member apply them.
/// </summary>
public static class DynamicConfiguration
{
    public static ImmutableArray<DynamicChange> Diff(ClusterSpec spec, ClusterPlacement placement, JsonObject current)
    {
        var patroni = spec.Failover.Patroni!;
        var changes = ImmutableArray.CreateBuilder<DynamicChange>();
        void Compare(string key, string? have, string want)
        {
            if (have != want)
            {
                changes.Add(new DynamicChange(key, have, want));
            }
        }

        string Int(long n) => n.ToString(CultureInfo.InvariantCulture);
        string? Text(JsonNode? node) => node is JsonValue value ? value.ToString() switch { "True" => "true", "False" => "false", var s => s } : null;

        Compare("ttl", Text(current["ttl"]), Int(patroni.Timings.Ttl));
        Compare("loop_wait", Text(current["loop_wait"]), Int(patroni.Timings.LoopWait));
        Compare("retry_timeout", Text(current["retry_timeout"]), Int(patroni.Timings.RetryTimeout));
        Compare("maximum_lag_on_failover", Text(current["maximum_lag_on_failover"]), Int(patroni.MaximumLagOnFailover.Bytes));
        Compare("synchronous_mode", Text(current["synchronous_mode"]) ?? "false", patroni.SynchronousMode ? "true" : "false");
        if (patroni.SynchronousMode && spec.Synchronous is { } sync)
        {
            Compare("synchronous_mode_strict", Text(current["synchronous_mode_strict"]) ?? "false", patroni.SynchronousModeStrict ? "true" : "false");
            Compare("synchronous_node_count", Text(current["synchronous_node_count"]) ?? "1", Int(sync.Count));
        }

        var have = current["postgresql"]?["parameters"] as JsonObject ?? [];
        var want = PatroniConfig.ClusterParameters(spec, placement);
        foreach (var (name, value) in want)
        {
            Compare($"postgresql.parameters.{name}", Text(have[name]), value);
        }

        foreach (var (name, value) in have)
        {
            if (!want.ContainsKey(name) && !PatroniConfig.OwnedByPatroni.Contains(name) && !PatroniConfig.NodeLocal.Contains(name))
            {
                changes.Add(new DynamicChange($"postgresql.parameters.{name}", Text(value), null));
            }
        }

        return changes.ToImmutable();
    }

    /// <summary>The PATCH /config body for the changes: nested keys, and null to remove a parameter.</summary>
    public static JsonObject Patch(IEnumerable<DynamicChange> changes)
    {
        var patch = new JsonObject();
        foreach (var change in changes)
        {
            var path = change.Key.Split('.');
            var target = patch;
            foreach (var part in path[..^1])
            {
                target = target[part] as JsonObject ?? (JsonObject)(target[part] = new JsonObject());
            }

            target[path[^1]] = change.Wanted is null ? null : Value(path[0], change.Wanted);
        }

        return patch;
    }

    /// <summary>Patroni's own keys are numbers and booleans; PostgreSQL parameters stay text.</summary>
    private static JsonValue Value(string top, string text) =>
        top == "postgresql" ? JsonValue.Create(text)
        : text is "true" or "false" ? JsonValue.Create(text == "true")
        : JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture));
}

using System.Collections.Immutable;
using System.Text.Json;
using PgHaInfra.Stack;
using Pulumi;

namespace PgHaInfra.Pulumi.Configuration;

/// <summary>
/// Reads the stack through Pulumi's <see cref="Config"/> into the same <see cref="StackDocument"/> that
/// <c>pgha validate</c> reads from the YAML file, so both go through one validator with the same error texts.
/// </summary>
public static class PulumiStackConfig
{
    /// <summary>Where the language host puts the stack's configuration; Pulumi's Deployment parses the same variable.</summary>
    public const string EngineConfigVariable = "PULUMI_CONFIG";

    public static string SourceOf(string stack) => $"Pulumi config of stack {stack}";

    /// <summary>
    /// Every known key is read through Config. Config cannot list keys, so to report unknown ones (a typo such as
    /// <c>pg-ha-infra:topolgy</c>) the names of the project's keys come from the engine's variable; their values
    /// still come through Config.
    /// </summary>
    public static StackDocument Read(string stack) => Read(stack, Environment.GetEnvironmentVariable(EngineConfigVariable));

    internal static StackDocument Read(string stack, string? engineConfigJson)
    {
        var config = new Config(StackDocument.Namespace);
        var unknown = KeysIn(engineConfigJson).Where(k => !StackKeys.TopLevel.Contains(k)).Order(StringComparer.Ordinal);
        var entries = ImmutableArray.CreateBuilder<ConfigEntry>();
        foreach (var key in StackKeys.TopLevel.Concat(unknown))
        {
            if (config.Get(key) is { } text)
            {
                entries.Add(new ConfigEntry(key, JsonConfigTree.FromConfigText(text)));
            }
        }

        return new StackDocument(stack, SourceOf(stack), entries.ToImmutable(), []);
    }

    /// <summary>
    /// The keys of this project's namespace in the engine's JSON object. The language host may still write them the
    /// old way, "project:config:key", which Deployment accepts too.
    /// </summary>
    internal static IEnumerable<string> KeysIn(string? engineConfigJson)
    {
        if (string.IsNullOrWhiteSpace(engineConfigJson))
        {
            return [];
        }

        using var document = JsonDocument.Parse(engineConfigJson);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        const string Prefix = StackDocument.Namespace + ":";
        const string LegacyPrefix = Prefix + "config:";
        return [.. document.RootElement.EnumerateObject()
            .Select(p => p.Name)
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(name => name.StartsWith(LegacyPrefix, StringComparison.Ordinal) ? name[LegacyPrefix.Length..] : name[Prefix.Length..])
            .Distinct(StringComparer.Ordinal)];
    }
}

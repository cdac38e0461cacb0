using System.Collections.Immutable;
using System.Text.Json;
using PgHaInfra.Stack;

namespace PgHaInfra.Pulumi.Configuration;

/// <summary>
/// Turns a structured Pulumi config value (the engine hands it over as JSON text) into the neutral
/// <see cref="ConfigNode"/> tree that <see cref="ClusterSpecReader"/> reads, so the YAML and Pulumi paths share one validator.
/// </summary>
public static class JsonConfigTree
{
    /// <summary>
    /// A value as Pulumi's Config returns it: JSON text for mappings and lists, plain text for anything else.
    /// Text that only looks like JSON but does not parse stays a scalar, and the reader reports it as such.
    /// </summary>
    public static ConfigNode FromConfigText(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                return FromJson(document.RootElement);
            }
            catch (JsonException)
            {
                return new ConfigScalar(text);
            }
        }

        return new ConfigScalar(text);
    }

    /// <summary>Scalars keep the text a stack file would show: numbers as written, booleans as true/false, null as empty.</summary>
    public static ConfigNode FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new ConfigMap([.. element.EnumerateObject().Select(p => new ConfigEntry(p.Name, FromJson(p.Value)))]),
        JsonValueKind.Array => new ConfigList([.. element.EnumerateArray().Select(FromJson)]),
        JsonValueKind.String => new ConfigScalar(element.GetString() ?? ""),
        JsonValueKind.Null or JsonValueKind.Undefined => new ConfigScalar(""),
        JsonValueKind.True => new ConfigScalar("true"),
        JsonValueKind.False => new ConfigScalar("false"),
        _ => new ConfigScalar(element.GetRawText()),
    };
}

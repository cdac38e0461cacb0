using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PgHaInfra.Pulumi.Tests;

/// <summary>
/// What the Pulumi CLI hands the program for a stack file: PULUMI_CONFIG, a JSON object of full key to text, where a
/// structured value is JSON text (the Go CLI marshals maps with sorted keys and resolves plain YAML scalars to
/// numbers, booleans and null). Setting it is process-wide, so the tests in this assembly run one at a time.
/// </summary>
public sealed partial class EngineConfig : IDisposable
{
    private readonly string? previous = Environment.GetEnvironmentVariable("PULUMI_CONFIG");

    private EngineConfig(string json) => Environment.SetEnvironmentVariable("PULUMI_CONFIG", json);

    public static EngineConfig FromStackFile(string path) => FromYaml(File.ReadAllText(path));

    public static EngineConfig FromYaml(string yaml) => new(ToJson(yaml));

    public static EngineConfig FromJson(string json) => new(json);

    public void Dispose() => Environment.SetEnvironmentVariable("PULUMI_CONFIG", previous);

    public static string ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var config = (YamlMappingNode)root.Children[new YamlScalarNode("config")];
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in config.Children)
            {
                writer.WriteString(((YamlScalarNode)key).Value!, value is YamlScalarNode scalar ? scalar.Value ?? "" : Nested(value));
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Nested(YamlNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                writer.WriteStartObject();
                foreach (var (key, value) in map.Children.OrderBy(c => ((YamlScalarNode)c.Key).Value, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(((YamlScalarNode)key).Value!);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode list:
                writer.WriteStartArray();
                foreach (var item in list.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode { Style: ScalarStyle.Plain } plain when plain.Value is null or "" or "~" or "null":
                writer.WriteNullValue();
                break;
            case YamlScalarNode { Style: ScalarStyle.Plain } plain when plain.Value is "true" or "false":
                writer.WriteBooleanValue(plain.Value == "true");
                break;
            case YamlScalarNode { Style: ScalarStyle.Plain } plain when Number().IsMatch(plain.Value!):
                writer.WriteRawValue(decimal.Parse(plain.Value!, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case YamlScalarNode scalar:
                writer.WriteStringValue(scalar.Value);
                break;
        }
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")]
    private static partial Regex Number();
}

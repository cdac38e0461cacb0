using System.Collections.Immutable;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PgHaInfra.Stack;

/// <summary>Reads a stack file in Pulumi's own format (stacks/Pulumi.&lt;stack&gt;.yaml) into a <see cref="StackDocument"/>.</summary>
public static class YamlStackFile
{
    /// <summary>The key of an error about the file as a whole: it could not be read.</summary>
    public const string FileKey = "(file)";

    /// <summary>The key of an error about the file's syntax: it is not YAML.</summary>
    public const string YamlKey = "(yaml)";

    /// <summary>Top-level keys that Pulumi itself writes into stack files.</summary>
    private static readonly string[] PulumiTopLevelKeys = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

    public static async Task<StackDocument> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var stack = StackCatalog.StackNameOf(path);
        var (text, problem) = await StackFileText.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        return text is null
            ? Failed(stack, path, new StackError(path, null, FileKey, null, problem!, $"a regular YAML file of at most {StackFileText.MaxBytes} bytes"))
            : Parse(stack, path, text);
    }

    public static StackDocument Parse(string stack, string source, string yaml)
    {
        var stream = new YamlStream();
        try
        {
            if (YamlShape.Check(yaml) is { } shape)
            {
                return Failed(stack, source, new StackError(source, shape.Line, YamlKey, null, shape.Problem,
                    $"one YAML document, nested at most {YamlShape.MaxDepth} levels, at most {YamlShape.MaxValues} values with aliases expanded"));
            }

            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            return Failed(stack, source, new StackError(source, (int)e.Start.Line, YamlKey, null, $"is not valid YAML: {e.InnerException?.Message ?? e.Message}"));
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return Failed(stack, source, new StackError(source, 1, FileKey, null, "must be a mapping with a 'config:' key", "config: with pg-ha-infra: keys"));
        }

        var errors = ImmutableArray.CreateBuilder<StackError>();
        YamlMappingNode? config = null;
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = KeyText(keyNode);
            if (key == "config")
            {
                config = valueNode as YamlMappingNode;
                if (config is null && valueNode is not YamlScalarNode { Value: null or "" })
                {
                    errors.Add(new StackError(source, Line(valueNode), "config", null, "must be a mapping of pg-ha-infra: keys"));
                }
            }
            else if (!PulumiTopLevelKeys.Contains(key))
            {
                errors.Add(new StackError(source, Line(keyNode), key, null, "is not a key of a Pulumi stack file",
                    string.Join(", ", PulumiTopLevelKeys), Spelling.Nearest(key, PulumiTopLevelKeys)));
            }
        }

        var entries = ImmutableArray.CreateBuilder<ConfigEntry>();
        foreach (var (keyNode, valueNode) in config?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            var key = KeyText(keyNode);
            var colon = key.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                errors.Add(new StackError(source, Line(keyNode), key, null, "has no namespace; Pulumi config keys are written project:key",
                    $"{StackDocument.Namespace}:<key>", keyNode is YamlScalarNode ? $"{StackDocument.Namespace}:{key}" : null));
                continue;
            }

            // Keys of other namespaces (docker:host, for example) configure providers; they are not ours to judge,
            // unless the namespace is a near miss of ours, whose keys would otherwise be dropped without a word.
            var ns = key[..colon];
            if (ns == StackDocument.Namespace)
            {
                entries.Add(new ConfigEntry(key[(colon + 1)..], Convert(valueNode), Line(keyNode)));
            }
            else if (Spelling.Nearest(ns, [StackDocument.Namespace]) is not null)
            {
                errors.Add(new StackError(source, Line(keyNode), key, null,
                    $"has the namespace '{ns}', a near miss of this project's; its keys would be ignored",
                    $"{StackDocument.Namespace}:<key> (keys of other namespaces configure Pulumi providers)", $"{StackDocument.Namespace}:{key[(colon + 1)..]}"));
            }
        }

        return new StackDocument(stack, source, entries.ToImmutable(), errors.ToImmutable());
    }

    private static ConfigNode Convert(YamlNode node) => node switch
    {
        YamlScalarNode scalar => new ConfigScalar(scalar.Value ?? "", Line(node)),
        YamlSequenceNode sequence => new ConfigList([.. sequence.Children.Select(Convert)], Line(node)),
        YamlMappingNode mapping => new ConfigMap(
            [.. mapping.Children.Select(c => new ConfigEntry(KeyText(c.Key), Convert(c.Value), Line(c.Key)))], Line(node)),
        _ => new ConfigScalar("", Line(node)),
    };

    /// <summary>
    /// A key's text. A non-scalar key (legal YAML, never a config key) is named by its kind: printing it could expand
    /// every alias inside it.
    /// </summary>
    private static string KeyText(YamlNode key) => key switch
    {
        YamlScalarNode scalar => scalar.Value ?? "",
        YamlSequenceNode => "(a list used as a key)",
        _ => "(a mapping used as a key)",
    };

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static StackDocument Failed(string stack, string source, StackError error) => new(stack, source, [], [error]);
}

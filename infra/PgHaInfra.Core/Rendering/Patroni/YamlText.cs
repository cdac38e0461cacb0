using System.Globalization;
using System.Text;

namespace PgHaInfra.Rendering.Patroni;

/// <summary>One key of a YAML mapping, with an optional one-line reason written as a comment above it.</summary>
public sealed record YamlEntry(string Key, object Value, string? Reason = null);

/// <summary>
/// A small block-style YAML writer for configuration that people read: keys in the order given, a comment per key,
/// and every string single-quoted, so PyYAML (Patroni) never reads "on" or "1h" as anything but text.
/// </summary>
public static class YamlText
{
    public static string Write(IEnumerable<YamlEntry> entries)
    {
        var text = new StringBuilder();
        WriteMap(text, entries, 0);
        return text.ToString();
    }

    private static void WriteMap(StringBuilder text, IEnumerable<YamlEntry> entries, int indent)
    {
        var pad = new string(' ', indent);
        foreach (var entry in entries)
        {
            if (entry.Reason is { } reason)
            {
                text.Append(pad).Append("# ").AppendLine(reason);
            }

            text.Append(pad).Append(Key(entry.Key)).Append(':');
            switch (entry.Value)
            {
                case IEnumerable<YamlEntry> map:
                    var items = map.ToList();
                    if (items.Count == 0)
                    {
                        text.AppendLine(" {}");
                    }
                    else
                    {
                        text.AppendLine();
                        WriteMap(text, items, indent + 2);
                    }

                    break;
                case IEnumerable<object> list:
                    var values = list.ToList();
                    if (values.Count == 0)
                    {
                        text.AppendLine(" []");
                    }
                    else
                    {
                        text.AppendLine();
                        foreach (var value in values)
                        {
                            // A list item is a scalar or a one-key mapping (Patroni's initdb options: a flag or key: value).
                            text.Append(pad).Append("- ").AppendLine(value is YamlEntry pair ? $"{Key(pair.Key)}: {Scalar(pair.Value)}" : Scalar(value));
                        }
                    }

                    break;
                default:
                    text.Append(' ').AppendLine(Scalar(entry.Value));
                    break;
            }
        }
    }

    private static string Key(string key) => key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? key : Quote(key);

    public static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        string s => Quote(s),
        _ => throw new ArgumentException($"no YAML form for {value.GetType().Name}", nameof(value)),
    };

    public static string Quote(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}

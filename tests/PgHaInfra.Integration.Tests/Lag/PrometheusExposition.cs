using System.Globalization;
using System.Text.RegularExpressions;

namespace PgHaInfra.Integration.Tests.Lag;

/// <summary>
/// A strict reader of Prometheus' text exposition format 0.0.4: HELP and TYPE lines, samples
/// name{label="value",...} value [timestamp], label values with only \\, \" and \n escapes, every sample belonging to
/// a family declared by a TYPE line before it, no family declared twice. It throws on the first line that breaks a rule.
/// </summary>
public static partial class PrometheusExposition
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed record Family(string Name, string Type, string Help, List<Sample> Samples);

    public static Dictionary<string, Family> Parse(string text)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var m = Help().Match(line);
                Require(m.Success, lineNumber, line, "HELP line is '# HELP name text'");
                Require(helps.TryAdd(m.Groups["name"].Value, m.Groups["help"].Value), lineNumber, line, "HELP given twice");
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var m = TypeLine().Match(line);
                Require(m.Success, lineNumber, line, "TYPE line is '# TYPE name counter|gauge|histogram|summary|untyped'");
                var name = m.Groups["name"].Value;
                Require(!families.ContainsKey(name), lineNumber, line, "family declared twice");
                families[name] = new Family(name, m.Groups["type"].Value, helps.GetValueOrDefault(name, ""), []);
            }
            else if (line.StartsWith('#'))
            {
                // Other comments are allowed.
            }
            else
            {
                var m = SampleLine().Match(line);
                Require(m.Success, lineNumber, line, "sample is 'name{labels} value [timestamp]'");
                var name = m.Groups["name"].Value;
                var family = families.GetValueOrDefault(name)
                             ?? families.GetValueOrDefault(Regex.Replace(name, "_(sum|count|bucket)$", ""));
                Require(family is not null, lineNumber, line, "sample of a family without a TYPE line before it");
                var labels = ParseLabels(m.Groups["labels"].Value, lineNumber, line);
                Require(TryParseValue(m.Groups["value"].Value, out var value), lineNumber, line, "value is a float, NaN, +Inf or -Inf");
                family!.Samples.Add(new Sample(name, labels, value));
            }
        }

        return families;
    }

    private static Dictionary<string, string> ParseLabels(string text, int lineNumber, string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < text.Length)
        {
            var m = LabelName().Match(text, i);
            Require(m.Success && m.Index == i, lineNumber, line, "label is name=\"value\"");
            var name = m.Groups[1].Value;
            i += m.Length;
            var value = new System.Text.StringBuilder();
            while (true)
            {
                Require(i < text.Length, lineNumber, line, "unterminated label value");
                var c = text[i++];
                if (c == '"')
                {
                    break;
                }

                if (c == '\\')
                {
                    Require(i < text.Length, lineNumber, line, "dangling escape");
                    var e = text[i++];
                    value.Append(e switch
                    {
                        '\\' => '\\',
                        '"' => '"',
                        'n' => '\n',
                        _ => throw new FormatException($"line {lineNumber}: invalid escape \\{e} in label value: {line}"),
                    });
                }
                else
                {
                    Require(c != '\n', lineNumber, line, "raw newline in label value");
                    value.Append(c);
                }
            }

            Require(labels.TryAdd(name, value.ToString()), lineNumber, line, "label given twice");
            if (i < text.Length)
            {
                Require(text[i] == ',', lineNumber, line, "labels are separated by commas");
                i++;
            }
        }

        return labels;
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "NaN":
                value = double.NaN;
                return true;
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    private static void Require(bool condition, int lineNumber, string line, string rule)
    {
        if (!condition)
        {
            throw new FormatException($"line {lineNumber}: {rule}: {line}");
        }
    }

    [GeneratedRegex(@"^# HELP (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<help>.*)$")]
    private static partial Regex Help();

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( -?\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""")]
    private static partial Regex LabelName();
}

using System.Text;
using System.Text.RegularExpressions;

namespace PgHaInfra.Core.Tests.Rendering;

/// <summary>
/// One setting line of a rendered postgresql.conf, parsed the way the server's lexer (guc-file.l) reads it:
/// name = value # comment, where value is an identifier, a number with an optional unit, or a quoted string.
/// </summary>
internal sealed partial record ConfLine(string Name, string RawValue, string Comment)
{
    /// <summary>The value as the server sees it: quotes removed, '' and backslash escapes resolved.</summary>
    public string Value => RawValue.StartsWith('\'') ? Unescape(RawValue[1..^1]) : RawValue;

    public static IReadOnlyList<ConfLine> ParseFile(string text)
    {
        var lines = new List<ConfLine>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = Setting().Match(line);
            Assert.True(match.Success, $"not a postgresql.conf setting line: {line}");
            lines.Add(new ConfLine(match.Groups["name"].Value, match.Groups["value"].Value, match.Groups["comment"].Value));
        }

        return lines;
    }

    private static string Unescape(string quoted)
    {
        var text = new StringBuilder();
        for (var i = 0; i < quoted.Length; i++)
        {
            if (quoted[i] == '\\' && i + 1 < quoted.Length)
            {
                i++;
                text.Append(quoted[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f', var c => c });
            }
            else if (quoted[i] == '\'' && i + 1 < quoted.Length && quoted[i + 1] == '\'')
            {
                text.Append('\'');
                i++;
            }
            else
            {
                text.Append(quoted[i]);
            }
        }

        return text.ToString();
    }

    // guc-file.l: ID, QUALIFIED_ID; values STRING, INTEGER (with unit letters), REAL, UNQUOTED_STRING.
    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?) = (?<value>'([^'\\\n]|\\.|'')*'|[+-]?\d+[A-Za-z]*|[+-]?\d*\.\d+([Ee][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_.:/-]*) +# (?<comment>\S.*)$")]
    private static partial Regex Setting();
}

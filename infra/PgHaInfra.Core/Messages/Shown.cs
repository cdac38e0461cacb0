using System.Globalization;
using System.Text;

namespace PgHaInfra.Messages;

/// <summary>
/// Text from the user (a stack value, a key, an option) made safe to show in one line of a message: control and
/// bidirectional-format characters escaped, so a newline cannot forge a second error line and an escape byte never
/// reaches the terminal raw, and long values cut, so a 5 MB value is not echoed in full.
/// </summary>
public static class Shown
{
    /// <summary>How many characters of a value a message shows before it cuts.</summary>
    public const int MaxValueLength = 100;

    /// <summary>How long one message line may grow (a message quotes several cut values, plus its own words).</summary>
    public const int MaxLineLength = 4000;

    /// <summary>A value in double quotes, as C# writes a string literal: <c>"a\"b\n"</c>, cut after <see cref="MaxValueLength"/> characters.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder(Math.Min(value.Length, MaxValueLength) + 16).Append('"');
        var shown = Cut(value, MaxValueLength);
        for (var i = 0; i < shown; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                default:
                    AppendEscaped(text, c);
                    break;
            }
        }

        text.Append('"');
        if (value.Length > shown)
        {
            text.Append(CultureInfo.InvariantCulture, $"... ({value.Length} characters)");
        }

        return text.ToString();
    }

    /// <summary>Free text (a message already built) as one line: control characters escaped, cut at <see cref="MaxLineLength"/>.</summary>
    public static string Line(string text)
    {
        var line = new StringBuilder(Math.Min(text.Length, MaxLineLength) + 32);
        var shown = Cut(text, MaxLineLength);
        for (var i = 0; i < shown; i++)
        {
            AppendEscaped(line, text[i]);
        }

        if (text.Length > shown)
        {
            line.Append(CultureInfo.InvariantCulture, $"... ({text.Length} characters)");
        }

        return line.ToString();
    }

    /// <summary>Where to cut <paramref name="text"/> to at most <paramref name="max"/> characters, never inside a surrogate pair.</summary>
    private static int Cut(string text, int max) =>
        text.Length <= max ? text.Length : char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;

    /// <summary>True when <paramref name="text"/> holds a character that <see cref="Quote"/> would escape.</summary>
    public static bool HasControl(string text) => text.Any(IsUnsafe);

    /// <summary>The first such character, written as its escape (<c>\n</c>, <c>\u001b</c>), for a message.</summary>
    public static string FirstControl(string text)
    {
        var builder = new StringBuilder();
        AppendEscaped(builder, text.First(IsUnsafe));
        return builder.ToString();
    }

    /// <summary>
    /// C0 and C1 controls (newline, tab, ESC, DEL, NEL), the Unicode line and paragraph separators, and the
    /// bidirectional overrides that make text display in another order than it is read.
    /// </summary>
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') or '\u200e' or '\u200f' or '\ufeff';

    private static void AppendEscaped(StringBuilder text, char c)
    {
        switch (c)
        {
            case '\n':
                text.Append("\\n");
                break;
            case '\r':
                text.Append("\\r");
                break;
            case '\t':
                text.Append("\\t");
                break;
            case '\0':
                text.Append("\\0");
                break;
            case var _ when IsUnsafe(c):
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                break;
            default:
                text.Append(c);
                break;
        }
    }
}

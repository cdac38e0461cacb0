using System.Text;

namespace PgHaInfra.Stack;

/// <summary>One mistake in a stack: where it is, which key, which value, what is wrong and what is allowed.</summary>
public sealed record StackError(string Source, int? Line, string Key, string? Value, string Problem, string? Allowed = null, string? Suggestion = null)
{
    public override string ToString()
    {
        var text = new StringBuilder(Source);
        if (Line is { } line)
        {
            text.Append(':').Append(line);
        }

        text.Append(": ").Append(Key);
        if (Value is not null)
        {
            text.Append(" = ").Append(Value);
        }

        text.Append(": ").Append(Problem);
        if (Allowed is not null)
        {
            text.Append(". Allowed: ").Append(Allowed);
        }

        if (Suggestion is not null)
        {
            text.Append(". Did you mean ").Append(Suggestion).Append('?');
        }

        return text.ToString();
    }
}

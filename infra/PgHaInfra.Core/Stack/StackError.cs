using System.Text;
using PgHaInfra.Messages;

namespace PgHaInfra.Stack;

/// <summary>
/// One mistake in a stack: where it is, which key, which value, what is wrong and what is allowed. <see cref="Value"/>
/// and <see cref="Suggestion"/> are already quoted (<see cref="Shown.Quote"/>); the line as a whole is made safe again
/// when it is written, so no part of it can break it in two.
/// </summary>
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

        return Shown.Line(text.ToString());
    }
}

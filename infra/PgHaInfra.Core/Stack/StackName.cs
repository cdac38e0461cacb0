using System.Text.RegularExpressions;

namespace PgHaInfra.Stack;

/// <summary>
/// What a stack may be called: Pulumi's own rule for stack names (letters, digits, '-', '_' and '.'), starting with a
/// letter or digit. It keeps --stack inside the stacks folder ("../x" is no name), and names that reach rendered
/// files' comments, state directories and messages free of separators and control characters.
/// </summary>
public static partial class StackName
{
    public const string Allowed = "a stack name: a letter or digit, then letters, digits, '-', '_' or '.', at most 100 characters";

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    // \z, not $: in .NET, $ also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\z")]
    private static partial Regex Pattern();
}

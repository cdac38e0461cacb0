using System.Reflection;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli;

/// <summary>
/// Finds an option that takes a value but was given none (`pgha up --stack`, `pgha plan --state-dir --json`).
/// Spectre.Console.Cli fills such an option with its internal placeholder "__default_command", which would name a
/// stack file, a node or even a state directory (`plan --state-dir` planned for ./__default_command); this
/// reports it in the CLI's own words before parsing.
/// </summary>
internal static class MissingOptionValue
{
    /// <summary>Every option that takes a value, by each of its spellings (--stack, -s), with its value's name.</summary>
    private static readonly Lazy<IReadOnlyDictionary<string, string>> ValueOptions = new(Collect);

    /// <summary>The message for the first option without its value, or null.</summary>
    public static string? Find(IReadOnlyList<string> args)
    {
        var options = ValueOptions.Value;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                // The rest goes to another program (pgha psql -- -c ...).
                return null;
            }

            if (!arg.StartsWith('-') || arg.Contains('=', StringComparison.Ordinal) || !options.TryGetValue(arg, out var valueName))
            {
                continue;
            }

            var next = i + 1 < args.Count ? args[i + 1] : null;
            // A negative number is a value (--watch -1), not the next option.
            if (next is null || (next.StartsWith('-') && next.Length > 1 && !char.IsAsciiDigit(next[1])))
            {
                return $"{arg} needs a value ({valueName}){(next is null ? "" : $", but it is followed by {next}")}";
            }

            i++;
        }

        return null;
    }

    private static Dictionary<string, string> Collect()
    {
        var spellings = new Dictionary<string, string?>(StringComparer.Ordinal);
        var settings = typeof(MissingOptionValue).Assembly.GetTypes().Where(t => typeof(CommandSettings).IsAssignableFrom(t));
        foreach (var property in settings.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)))
        {
            if (property.GetCustomAttribute<CommandOptionAttribute>() is not { } option)
            {
                continue;
            }

            var value = option.ValueName is { } name && !option.ValueIsOptional ? name : null;
            foreach (var spelling in option.LongNames.Select(n => "--" + n).Concat(option.ShortNames.Select(n => "-" + n)))
            {
                // A spelling that is a flag in one verb and takes a value in another is left to the parser.
                spellings[spelling] = spellings.TryGetValue(spelling, out var seen) && seen != value ? null : value;
            }
        }

        return spellings.Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value!, StringComparer.Ordinal);
    }
}

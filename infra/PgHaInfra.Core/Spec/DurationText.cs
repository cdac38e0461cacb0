using System.Globalization;
using System.Text.RegularExpressions;

namespace PgHaInfra.Spec;

/// <summary>Parses and prints durations the way people write them in a stack: "60s", "1 minute", "1h", "500ms".</summary>
public static partial class DurationText
{
    public const string Allowed = "a whole number with a unit ms, s, min, h or d (also second(s), minute(s), hour(s), day(s)), e.g. 60s or 1 minute";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        long? milliseconds = match.Groups["u"].Value.ToLowerInvariant() switch
        {
            "ms" or "millisecond" or "milliseconds" => 1,
            "s" or "sec" or "secs" or "second" or "seconds" => 1_000,
            "m" or "min" or "mins" or "minute" or "minutes" => 60_000,
            "h" or "hr" or "hour" or "hours" => 3_600_000,
            "d" or "day" or "days" => 86_400_000,
            _ => null,
        };
        if (milliseconds is not { } factor || n > TimeSpan.MaxValue.TotalMilliseconds / factor)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(n * factor);
        return true;
    }

    /// <summary>The duration in the largest PostgreSQL time unit that represents it exactly, e.g. "1h" or "90s".</summary>
    public static string ToPostgres(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        foreach (var (unit, factor) in Units)
        {
            if (ms != 0 && ms % factor == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{ms / factor}{unit}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{ms}ms");
    }

    private static readonly (string Unit, long Factor)[] Units =
        [("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1_000)];

    [GeneratedRegex(@"^(?<n>\d+)\s*(?<u>[a-zA-Z]+)$")]
    private static partial Regex Pattern();
}

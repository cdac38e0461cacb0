using System.Globalization;
using System.Text.RegularExpressions;

namespace PgHaInfra.Parameters;

/// <summary>
/// Checks a value the way the server will when it reads postgresql.conf (guc.c's parse_bool, parse_int, parse_real
/// and enum lookup), so a value PostgreSQL would refuse at start, and so a cluster that never comes up, is refused
/// here with what is allowed. It is a little stricter than the server where the server's reading surprises:
/// leading zeros (octal to strtol) and hexadecimal are refused, as are hidden enum spellings.
/// </summary>
public static partial class ParameterValue
{
    /// <summary>The problem and what is allowed, or null when the server accepts <paramref name="value"/>.</summary>
    public static (string Problem, string Allowed)? Check(ParameterDefinition parameter, string value) => parameter.Type switch
    {
        "bool" => TryParseBool(value, out _) ? null : ("is not a boolean", BoolAllowed),
        "integer" => CheckNumber(parameter, value, integer: true),
        "real" => CheckNumber(parameter, value, integer: false),
        "enum" => parameter.EnumValues.Contains(value, StringComparer.OrdinalIgnoreCase)
            ? null
            : ("is not one of its values", string.Join(", ", parameter.EnumValues)),
        _ => null,
    };

    public const string BoolAllowed = "on, off, true, false, yes, no, 1, 0 (or a unique prefix of one)";

    /// <summary>PostgreSQL's parse_bool: the words, case-insensitive, or a unique prefix of one ("t", "of"); no blanks.</summary>
    public static bool TryParseBool(string value, out bool result)
    {
        var v = value.ToLowerInvariant();
        (bool Ok, bool Value) parsed = v switch
        {
            "1" => (true, true),
            "0" => (true, false),
            _ when v.Length >= 1 && "true".StartsWith(v, StringComparison.Ordinal) => (true, true),
            _ when v.Length >= 1 && "false".StartsWith(v, StringComparison.Ordinal) => (true, false),
            _ when v.Length >= 1 && "yes".StartsWith(v, StringComparison.Ordinal) => (true, true),
            _ when v.Length >= 1 && "no".StartsWith(v, StringComparison.Ordinal) => (true, false),
            // "o" alone could be on or off.
            _ when v.Length >= 2 && "on".StartsWith(v, StringComparison.Ordinal) => (true, true),
            _ when v.Length >= 2 && "off".StartsWith(v, StringComparison.Ordinal) => (true, false),
            _ => (false, false),
        };
        result = parsed.Value;
        return parsed.Ok;
    }

    /// <summary>A whole number as PostgreSQL would read it for an integer parameter, in that parameter's base unit.</summary>
    public static bool TryParseInteger(ParameterDefinition parameter, string value, out long result)
    {
        result = 0;
        if (!TryParseNumber(parameter, value, out var number))
        {
            return false;
        }

        number = Math.Round(number, MidpointRounding.ToEven);
        if (number is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        result = (long)number;
        return true;
    }

    private static (string, string)? CheckNumber(ParameterDefinition parameter, string value, bool integer)
    {
        var allowed = Range(parameter, integer);
        var match = Number().Match(value);
        if (!match.Success)
        {
            return (integer ? "is not a whole number" : "is not a number", allowed);
        }

        var unit = match.Groups["unit"].Value;
        if (unit.Length > 0)
        {
            if (Factor(parameter.Unit) is null)
            {
                return ($"has a unit ({unit}), but {parameter.Name} takes a plain number", allowed);
            }

            if (!UserUnits.Contains(unit))
            {
                return ($"has the unit {unit}, which PostgreSQL does not know (units are case-sensitive)", allowed);
            }

            if (!SameKind(unit, parameter.Unit))
            {
                return ($"has the unit {unit}, which is not a unit of {parameter.Name} ({parameter.Unit})", allowed);
            }
        }

        if (!TryParseNumber(parameter, value, out var number))
        {
            return ("is out of range", allowed);
        }

        if (integer)
        {
            number = Math.Round(number, MidpointRounding.ToEven);
        }

        var min = double.Parse(parameter.Min, CultureInfo.InvariantCulture);
        var max = double.Parse(parameter.Max, CultureInfo.InvariantCulture);
        return number < min || number > max || (integer && number is < int.MinValue or > int.MaxValue)
            ? ("is out of range", allowed)
            : null;
    }

    private static bool TryParseNumber(ParameterDefinition parameter, string value, out double number)
    {
        number = 0;
        var match = Number().Match(value);
        if (!match.Success || !double.TryParse(match.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        var unit = match.Groups["unit"].Value;
        if (unit.Length > 0)
        {
            if (Factor(parameter.Unit) is not { } baseFactor || !UserUnits.Contains(unit) || Factor(unit) is not { } unitFactor || !SameKind(unit, parameter.Unit))
            {
                return false;
            }

            number = number * unitFactor / baseFactor;
        }

        return double.IsFinite(number);
    }

    private static string Range(ParameterDefinition parameter, bool integer)
    {
        var kind = integer ? "a whole number" : "a number";
        var unit = parameter.Unit.Length == 0
            ? ""
            : IsMemory(parameter.Unit)
                ? $" in units of {parameter.Unit}, or with a unit B, kB, MB, GB or TB"
                : $" in {parameter.Unit}, or with a unit us, ms, s, min, h or d";
        return $"{kind} from {parameter.Min} to {parameter.Max}{unit}";
    }

    /// <summary>The units a value may carry; the others in <see cref="Factor"/> are only parameters' base units.</summary>
    private static readonly string[] UserUnits = ["B", "kB", "MB", "GB", "TB", "us", "ms", "s", "min", "h", "d"];

    /// <summary>A memory unit in bytes, or a time unit in microseconds; PostgreSQL's units are case-sensitive.</summary>
    private static double? Factor(string unit) => unit switch
    {
        "B" => 1,
        "kB" => 1024,
        "8kB" => 8192,
        "16kB" => 16384,
        "32kB" => 32768,
        "MB" => 1024.0 * 1024,
        "16MB" => 16.0 * 1024 * 1024,
        "GB" => 1024.0 * 1024 * 1024,
        "TB" => 1024.0 * 1024 * 1024 * 1024,
        "us" => 1,
        "ms" => 1000,
        "s" => 1000_000,
        "min" => 60_000_000,
        "h" => 3600_000_000.0,
        "d" => 86400_000_000.0,
        _ => null,
    };

    private static bool IsMemory(string unit) => unit.EndsWith('B');

    private static bool SameKind(string unit, string baseUnit) => IsMemory(unit) == IsMemory(baseUnit);

    // A decimal number (no leading zeros, no hexadecimal), then optionally blanks and a unit, as postgresql.conf has them.
    [GeneratedRegex(@"^(?<number>[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)[ \t]*(?<unit>[A-Za-z]+)?\z")]
    private static partial Regex Number();
}

using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PgHaInfra.Operations.Backup;

/// <summary>Where a point-in-time restore stops: the end of the archive, a moment, or a WAL location.</summary>
public enum RestoreTargetKind
{
    Latest,
    Time,
    Lsn,
}

/// <summary>`--to TIME|LSN|latest`, parsed once, and the pgBackRest restore options it becomes.</summary>
public sealed partial record RestoreTarget(RestoreTargetKind Kind, DateTimeOffset? Time = null, string? Lsn = null)
{
    public const string Allowed = "latest, a WAL location such as 0/3000148, or a time such as 2026-12-01T22:15:00Z (ISO 8601; without an offset it is UTC)";

    public static readonly RestoreTarget Latest = new(RestoreTargetKind.Latest);

    public static bool TryParse(string text, out RestoreTarget target)
    {
        text = text.Trim();
        if (text == "latest")
        {
            target = Latest;
            return true;
        }

        if (LsnPattern().IsMatch(text))
        {
            target = new RestoreTarget(RestoreTargetKind.Lsn, Lsn: text.ToUpperInvariant());
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var time))
        {
            target = new RestoreTarget(RestoreTargetKind.Time, Time: time);
            return true;
        }

        target = Latest;
        return false;
    }

    /// <summary>
    /// pgBackRest's --type and --target. The time goes in PostgreSQL's own format with microseconds and an explicit
    /// UTC offset, so the server's TimeZone cannot shift it. Inclusive: a commit at exactly the target is kept.
    /// </summary>
    public ImmutableArray<string> PgBackRestOptions() => Kind switch
    {
        RestoreTargetKind.Time => ["--type=time", $"--target={Time!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00", "--target-action=promote"],
        RestoreTargetKind.Lsn => ["--type=lsn", $"--target={Lsn}", "--target-action=promote"],
        // Replays every archived segment, then promotes (recovery ends where the archive does).
        _ => ["--type=default"],
    };

    public override string ToString() => Kind switch
    {
        RestoreTargetKind.Time => Time!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff 'UTC'", CultureInfo.InvariantCulture),
        RestoreTargetKind.Lsn => $"LSN {Lsn}",
        _ => "the end of the archive",
    };

    [GeneratedRegex("^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$")]
    private static partial Regex LsnPattern();
}

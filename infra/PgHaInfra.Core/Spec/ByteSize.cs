using System.Globalization;
using System.Text.RegularExpressions;

namespace PgHaInfra.Spec;

/// <summary>
/// A size in bytes. Units follow PostgreSQL: kB, MB, GB and TB are powers of 1024, and the IEC
/// spellings (KiB, MiB, GiB, TiB) mean the same, so "1GB" in a stack is what "1GB" means in postgresql.conf.
/// </summary>
public readonly partial record struct ByteSize(long Bytes) : IComparable<ByteSize>
{
    private const long KiB = 1024;

    public static ByteSize FromMegabytes(long megabytes) => new(megabytes * KiB * KiB);

    public static ByteSize FromGigabytes(long gigabytes) => new(gigabytes * KiB * KiB * KiB);

    public const string Allowed = "a whole number with an optional unit B, kB, MB, GB or TB (1024-based; KiB, MiB, GiB, TiB also accepted), e.g. 512MB or 1GB";

    public static bool TryParse(string text, out ByteSize size)
    {
        size = default;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        long multiplier = match.Groups["u"].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => KiB,
            "M" or "MB" or "MIB" => KiB * KiB,
            "G" or "GB" or "GIB" => KiB * KiB * KiB,
            "T" or "TB" or "TIB" => KiB * KiB * KiB * KiB,
            _ => 0,
        };
        if (multiplier == 0 || n > long.MaxValue / multiplier)
        {
            return false;
        }

        size = new ByteSize(n * multiplier);
        return true;
    }

    /// <summary>The value in the largest PostgreSQL unit that represents it exactly, e.g. "512MB".</summary>
    public string ToPostgres()
    {
        foreach (var (unit, factor) in Units)
        {
            if (Bytes != 0 && Bytes % factor == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{Bytes / factor}{unit}");
            }
        }

        // PostgreSQL sizes have no unit smaller than kB; round up so a limit is never tightened.
        return string.Create(CultureInfo.InvariantCulture, $"{(Bytes + KiB - 1) / KiB}kB");
    }

    public override string ToString() => ToPostgres();

    public int CompareTo(ByteSize other) => Bytes.CompareTo(other.Bytes);

    public static bool operator <(ByteSize a, ByteSize b) => a.Bytes < b.Bytes;

    public static bool operator >(ByteSize a, ByteSize b) => a.Bytes > b.Bytes;

    public static bool operator <=(ByteSize a, ByteSize b) => a.Bytes <= b.Bytes;

    public static bool operator >=(ByteSize a, ByteSize b) => a.Bytes >= b.Bytes;

    private static readonly (string Unit, long Factor)[] Units =
        [("TB", KiB * KiB * KiB * KiB), ("GB", KiB * KiB * KiB), ("MB", KiB * KiB), ("kB", KiB)];

    [GeneratedRegex(@"^(?<n>\d+)\s*(?<u>[a-zA-Z]*)$")]
    private static partial Regex Pattern();
}

using System.Globalization;

namespace PgHaInfra.Operations.Lag;

/// <summary>A WAL position (pg_lsn), printed the way PostgreSQL prints it: "0/3000148".</summary>
public readonly record struct Lsn(ulong Value) : IComparable<Lsn>
{
    public static Lsn Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !uint.TryParse(text.AsSpan(0, slash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !uint.TryParse(text.AsSpan(slash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            throw new FormatException($"'{text}' is not a WAL position (expected hex/hex, e.g. 0/3000148)");
        }

        return new Lsn(((ulong)high << 32) | low);
    }

    /// <summary>Bytes from <paramref name="behind"/> up to this position; 0 when it is not behind (readings race).</summary>
    public long BytesAhead(Lsn behind) => Value > behind.Value ? (long)Math.Min(Value - behind.Value, long.MaxValue) : 0;

    public int CompareTo(Lsn other) => Value.CompareTo(other.Value);

    public static bool operator <(Lsn a, Lsn b) => a.Value < b.Value;

    public static bool operator >(Lsn a, Lsn b) => a.Value > b.Value;

    public static bool operator <=(Lsn a, Lsn b) => a.Value <= b.Value;

    public static bool operator >=(Lsn a, Lsn b) => a.Value >= b.Value;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Value >> 32:X}/{Value & 0xFFFFFFFF:X}");
}

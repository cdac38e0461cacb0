using System.Globalization;

namespace PgHaInfra.Operations.Wal;

/// <summary>A WAL location (pg_lsn), printed the way PostgreSQL prints it: "0/3000148".</summary>
public readonly record struct Lsn(ulong Value) : IComparable<Lsn>
{
    public static readonly Lsn Zero = new(0);

    public static Lsn Parse(string text) =>
        TryParse(text, out var lsn) ? lsn : throw new FormatException($"'{text}' is not a WAL location like 0/3000148");

    public static bool TryParse(string? text, out Lsn lsn)
    {
        lsn = Zero;
        var parts = text?.Trim().Split('/');
        if (parts is not { Length: 2 }
            || !uint.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var high)
            || !uint.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }

        lsn = new Lsn(((ulong)high << 32) | low);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Value >> 32:X}/{Value & 0xFFFFFFFF:X}");

    public int CompareTo(Lsn other) => Value.CompareTo(other.Value);

    public static bool operator <(Lsn a, Lsn b) => a.Value < b.Value;

    public static bool operator >(Lsn a, Lsn b) => a.Value > b.Value;

    public static bool operator <=(Lsn a, Lsn b) => a.Value <= b.Value;

    public static bool operator >=(Lsn a, Lsn b) => a.Value >= b.Value;

    /// <summary>Bytes from <paramref name="behind"/> up to this location, 0 when it is not behind.</summary>
    public long BytesAhead(Lsn behind) => Value > behind.Value ? (long)(Value - behind.Value) : 0;

    public static Lsn Max(Lsn a, Lsn b) => a >= b ? a : b;
}

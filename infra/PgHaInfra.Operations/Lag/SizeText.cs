using System.Globalization;

namespace PgHaInfra.Operations.Lag;

/// <summary>Bytes and durations for people, in pg_size_pretty's 1024-based units: "1.5 MB", "0 B", "2.6 s".</summary>
public static class SizeText
{
    private static readonly string[] Units = ["B", "kB", "MB", "GB", "TB"];

    public static string Bytes(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {Units[unit]}");
    }

    public static string Bytes(long? bytes) => bytes is { } b ? Bytes(b) : "-";

    public static string Seconds(TimeSpan duration) => duration.TotalSeconds >= 120
        ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.#} min")
        : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0} s");

    public static string Seconds(TimeSpan? duration) => duration is { } d ? Seconds(d) : "-";
}

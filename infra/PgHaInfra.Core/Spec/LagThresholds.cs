namespace PgHaInfra.Spec;

/// <summary>Replication lag alert levels. Defaults follow the seed: critical above 1 GiB or one minute.</summary>
public sealed record LagThresholds(ByteSize WarningBytes, ByteSize CriticalBytes, TimeSpan WarningTime, TimeSpan CriticalTime)
{
    public static readonly LagThresholds Default = new(
        ByteSize.FromMegabytes(256), ByteSize.FromGigabytes(1), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));
}

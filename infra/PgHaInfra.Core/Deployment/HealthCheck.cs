using System.Collections.Immutable;

namespace PgHaInfra.Deployment;

/// <summary>Docker's health check of a container; durations are Go duration texts ("1s"), as the provider takes them.</summary>
public sealed record HealthCheck(ImmutableArray<string> Test, string Interval, string Timeout, string StartPeriod, int Retries);

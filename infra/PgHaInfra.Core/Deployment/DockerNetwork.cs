using System.Collections.Immutable;

namespace PgHaInfra.Deployment;

/// <summary>The cluster's own bridge network; replication is admitted only from its subnet.</summary>
public sealed record DockerNetwork(string Name, string Driver, string Subnet, ImmutableSortedDictionary<string, string> Labels);

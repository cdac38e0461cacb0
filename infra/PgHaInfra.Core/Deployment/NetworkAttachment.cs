using System.Collections.Immutable;

namespace PgHaInfra.Deployment;

/// <summary>The container's place on the cluster network: the DNS names Docker's embedded DNS answers for it.</summary>
public sealed record NetworkAttachment(string Network, ImmutableArray<string> Aliases);

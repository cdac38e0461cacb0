namespace PgHaInfra.Deployment;

/// <summary>A container port published on a host address.</summary>
public sealed record PublishedPort(int Internal, int External, string HostAddress, string Protocol = "tcp");

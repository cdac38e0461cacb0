namespace PgHaInfra.Deployment;

/// <summary>The PostgreSQL image every container runs; kept locally when the stack goes, since other stacks may use it.</summary>
public sealed record DockerImage(string Name, bool KeepLocally);

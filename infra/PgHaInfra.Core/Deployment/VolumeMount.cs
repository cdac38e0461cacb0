namespace PgHaInfra.Deployment;

/// <summary>A named volume mounted into the container.</summary>
public sealed record VolumeMount(string Volume, string ContainerPath);

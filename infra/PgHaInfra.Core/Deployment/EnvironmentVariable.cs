namespace PgHaInfra.Deployment;

/// <summary>One variable of the container's environment; the provider takes it as "NAME=value".</summary>
public sealed record EnvironmentVariable(string Name, DeploymentValue Value)
{
    public DeploymentValue Assignment => Value with { Text = $"{Name}={Value.Text}" };
}

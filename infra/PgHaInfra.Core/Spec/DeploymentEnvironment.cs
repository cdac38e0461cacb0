namespace PgHaInfra.Spec;

/// <summary>What kind of environment the stack describes. Production protects data volumes.</summary>
public enum DeploymentEnvironment
{
    Development,
    Staging,
    Production,
}

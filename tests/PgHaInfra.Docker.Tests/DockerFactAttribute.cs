namespace PgHaInfra.Docker.Tests;

/// <summary>
/// A test that needs a Docker engine. Outside CI, without an engine, it is skipped with the reason (scripts/test
/// prints a banner naming every such test). With CI=true it always runs, and fails if there is no engine.
/// </summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (DockerEngine.SkipReason() is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <inheritdoc cref="DockerFactAttribute"/>
public sealed class DockerTheoryAttribute : TheoryAttribute
{
    public DockerTheoryAttribute()
    {
        if (DockerEngine.SkipReason() is { } reason)
        {
            Skip = reason;
        }
    }
}

namespace PgHaInfra.Docker;

/// <summary>A Docker-side step that failed (no engine, no container for a node, a command in a container that failed), said in one sentence.</summary>
public sealed class DockerOperationException : Exception
{
    public DockerOperationException(string message) : base(message)
    {
    }

    public DockerOperationException(string message, Exception inner) : base(message, inner)
    {
    }

    public DockerOperationException()
    {
    }
}

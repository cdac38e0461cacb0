namespace PgHaInfra.Local;

/// <summary>A step of the local engine failed; the message says which node, which step and what was seen.</summary>
public sealed class LocalEngineException : Exception
{
    public LocalEngineException(string message)
        : base(message)
    {
    }

    public LocalEngineException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

namespace PgHaInfra.Operations.Failover;

/// <summary>A switchover, failover or rejoin step that failed, named with the node and what was seen.</summary>
public sealed class FailoverException : Exception
{
    public FailoverException(string step, string message, Exception? inner = null) : base(message, inner) => Step = step;

    public FailoverException() : this("unknown", "failover step failed")
    {
    }

    public FailoverException(string message) : this("unknown", message)
    {
    }

    public FailoverException(string message, Exception inner) : this("unknown", message, inner)
    {
    }

    public string Step { get; }
}

namespace PgHaInfra.Cli;

/// <summary>A failure to report to the operator as one clear message on stderr, without a stack trace.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

using Spectre.Console;

namespace PgHaInfra.Cli;

/// <summary>Where commands write: results to standard output, errors and progress to standard error.</summary>
public sealed record CliConsoles(IAnsiConsole Out, IAnsiConsole Error)
{
    public static CliConsoles System() => new(
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }),
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));

    /// <summary>
    /// Writes one line to stderr as is: not wrapped at the terminal width, so an error stays one greppable line
    /// (file:line: key = value: problem. Allowed: ...).
    /// </summary>
    public void ErrorLine(string line) => Error.Profile.Out.Writer.WriteLine(line);
}
